from api.formats import iso
from api.links import account_home, link, url
from api.pagination import PageParams, page_envelope


def list_href(account_name: str, list_id: int) -> str:
    return url("list-detail", account_name=account_name, list_id=list_id)


def import_href(account_name: str, list_id: int) -> str:
    return url("list-import", account_name=account_name, list_id=list_id)


def lists_href(account_name: str) -> str:
    return url("list-collection", account_name=account_name)


def list_item(account_name: str, mailing_list) -> dict:
    href = list_href(account_name, mailing_list.pk)
    return {
        **_fields(mailing_list),
        "_links": [
            link(href, "item /rels/list", "List details"),
            link(href, "edit /rels/edit-list", "Edit list"),
            link(href, "delete /rels/delete-list", "Delete list"),
        ],
    }


def list_detail(account_name: str, mailing_list) -> dict:
    href = list_href(account_name, mailing_list.pk)
    subscribers = url("list-subscribers", account_name=account_name, list_id=mailing_list.pk)
    return {
        **_fields(mailing_list),
        "_links": [
            link(href, "self /rels/list", "List details"),
            link(href, "delete /rels/delete-list", "Delete list"),
            link(href, "edit /rels/edit-list", "Edit list"),
            link(subscribers, "/rels/subscribers-collection", "Subscribers in the list"),
            link(subscribers, "/rels/subscribe-to-list", "Subscribe"),
            link(import_href(account_name, mailing_list.pk), "/rels/import-to-list", "Import subscribers"),
            link(lists_href(account_name), "parent /rels/lists-collection", "Lists"),
            account_home(account_name),
        ],
    }


def lists_page(account_name: str, rows, total: int, params: PageParams) -> dict:
    return page_envelope(
        [list_item(account_name, row) for row in rows],
        total,
        params,
        path=lists_href(account_name),
        collection_rel="/rels/lists-collection",
        affordances=[
            link(lists_href(account_name), "/rels/create-list", "Create a new list"),
            account_home(account_name),
        ],
    )


def list_written_links(account_name: str, list_id: int, *, created: bool) -> list[dict]:
    href = list_href(account_name, list_id)
    links = [
        link(href, "related /rels/list", "Created list" if created else "Updated list"),
        link(href, "delete /rels/delete-list", "Delete list"),
        link(href, "edit /rels/edit-list", "Edit list"),
        link(lists_href(account_name), "parent /rels/lists-collection", "Lists"),
    ]
    if created:
        links.append(link(lists_href(account_name), "/rels/create-list", "Create a new list"))
    return [*links, account_home(account_name)]


def list_deleted_links(account_name: str) -> list[dict]:
    return [link(lists_href(account_name), "parent /rels/lists-collection", "Lists"), account_home(account_name)]


def _fields(mailing_list) -> dict:
    return {
        "listId": mailing_list.pk,
        "name": mailing_list.name,
        "subscribersQuantity": mailing_list.subscribers_count,
        "subcribersQuantity": mailing_list.subscribers_count,
        "active": mailing_list.active,
        "public": mailing_list.public,
        "publicName": mailing_list.public_name,
        "publicDescription": mailing_list.public_description,
        "creation-date": iso(mailing_list.created_at),
        "creationDate": iso(mailing_list.created_at),
        "doubleOptIn": mailing_list.double_opt_in,
        "confirmationEmail": {
            "subject": mailing_list.confirmation_subject or None,
            "html": mailing_list.confirmation_html or None,
            "text": mailing_list.confirmation_text or None,
        },
    }
