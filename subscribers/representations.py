"""Subscribers as both surfaces show them: the Blueprint's subscriber, the same body as an /api/v1 contact
(its own links), the collections and the links of the answers to writes."""

from api.formats import iso
from api.links import account_home, link, url
from api.pagination import PageParams, page_envelope
from api.v1 import Collection, Page, Query, envelope
from lists.representations import import_href, list_href


def subscriber_href(account_name: str, md5: str) -> str:
    return url("subscriber-detail", account_name=account_name, email_md5=md5)


def unsubscribe_href(account_name: str, md5: str) -> str:
    return url("subscriber-unsubscribe", account_name=account_name, email_md5=md5)


def list_subscribers_href(account_name: str, list_id: int) -> str:
    return url("list-subscribers", account_name=account_name, list_id=list_id)


def membership_href(account_name: str, list_id: int, md5: str) -> str:
    return url("list-subscriber", account_name=account_name, list_id=list_id, email_md5=md5)


def confirmation_href(account_name: str, list_id: int, md5: str) -> str:
    return url("list-subscriber-confirmation", account_name=account_name, list_id=list_id, email_md5=md5)


def consent_item(consent) -> dict:
    """A membership's consent record: how and when it was asked for, and when confirmed (double opt-in)."""
    return {
        "listId": consent.list_id,
        "state": "pending" if consent.pending else "active",
        "source": consent.source,
        "createdAt": iso(consent.created_at),
        "ip": consent.ip,
        "userAgent": consent.user_agent,
        "doubleOptIn": consent.double_opt_in,
        "confirmedAt": iso(consent.confirmed_at),
        "confirmIp": consent.confirm_ip,
        "confirmUserAgent": consent.confirm_user_agent,
    }


def pending_links(account_name: str, md5: str, consents) -> list[dict]:
    """A pending membership's actions: resend its confirmation, or withdraw it."""
    links = []
    for consent in consents:
        if consent.pending:
            links.append(
                link(
                    confirmation_href(account_name, consent.list_id, md5),
                    "/rels/resend-confirmation",
                    f"Resend the confirmation email for list {consent.list_id}",
                )
            )
            links.extend(remove_links(account_name, md5, [consent.list_id]))
    return links


def membership_links(account_name: str, md5: str, list_id: int) -> list[dict]:
    """The answer to a resent confirmation."""
    return [
        link(subscriber_href(account_name, md5), "related /rels/subscriber", "Subscriber"),
        link(confirmation_href(account_name, list_id, md5), "/rels/resend-confirmation", "Resend again"),
        link(list_subscribers_href(account_name, list_id), "parent /rels/subscribers-collection", "List subscribers"),
        account_home(account_name),
    ]


def remove_links(account_name: str, md5: str, list_ids) -> list[dict]:
    return [
        link(membership_href(account_name, list_id, md5), "/rels/remove-from-list", f"Remove from list {list_id}")
        for list_id in list_ids
    ]


def _summary(subscriber, list_ids) -> dict:
    return {
        "emailAddress": subscriber.email,
        "emailMd5": subscriber.email_md5,
        "belongsToLists": list(list_ids),
        "status": subscriber.status,
    }


def subscriber_item(account_name: str, subscriber, list_ids, *, in_list: int | None = None) -> dict:
    """A collection item; in a list's collection the one removal link is for that list."""
    md5 = subscriber.email_md5
    href = subscriber_href(account_name, md5)
    if in_list is None:
        removals = remove_links(account_name, md5, list_ids)
    else:
        removals = [
            link(membership_href(account_name, in_list, md5), "/rels/remove-from-list", "Remove from current list")
        ]
    return {
        **_summary(subscriber, list_ids),
        "_links": [
            link(href, "item /rels/subscriber", "Subscriber details"),
            link(href, "edit /rels/edit-subscriber", "Edit subscriber"),
            link(unsubscribe_href(account_name, md5), "/rels/unsubscribe", "Unsubscribe"),
            *removals,
        ],
    }


def subscriber_detail(account_name: str, subscriber, list_ids, field_types, consents=()) -> dict:
    """``consents``: the subscriber's consent records (its memberships' and its pending ones')."""
    md5 = subscriber.email_md5
    href = subscriber_href(account_name, md5)
    values = subscriber.fields
    return {
        **_summary(subscriber, list_ids),
        "fields": [
            {"fieldName": name, "value": values[name], "type": type_} for name, type_ in field_types if name in values
        ],
        "creationDate": iso(subscriber.created_at),
        "unsubscribedAt": iso(subscriber.unsubscribed_at),
        "unsubscribeReason": subscriber.unsubscribe_reason,
        "pendingLists": [consent.list_id for consent in consents if consent.pending],
        "consents": [consent_item(consent) for consent in consents],
        "_links": [
            link(href, "self /rels/subscriber", "Subscriber details"),
            link(href, "edit /rels/edit-subscriber", "Edit"),
            link(unsubscribe_href(account_name, md5), "/rels/unsubscribe", "Unsubscribe"),
            *remove_links(account_name, md5, list_ids),
            *pending_links(account_name, md5, consents),
            account_home(account_name),
        ],
    }


def subscribed_links(account_name: str, md5: str, list_id: int, *, created: bool, pending: bool = False) -> list[dict]:
    collection = list_subscribers_href(account_name, list_id)
    resend = [
        link(confirmation_href(account_name, list_id, md5), "/rels/resend-confirmation", "Resend the confirmation")
    ]
    return [
        *(resend if pending else []),
        link(
            subscriber_href(account_name, md5),
            "related /rels/subscriber",
            "Created subscriber" if created else "Subscriber",
        ),
        link(unsubscribe_href(account_name, md5), "/rels/unsubscribe", "Unsubscribe"),
        *remove_links(account_name, md5, [list_id]),
        link(collection, "parent /rels/subscribers-collection", "Other subscribers" if created else "List subscribers"),
        link(collection, "/rels/subscribe-to-list", "Subscribe another" if created else "Subscribe"),
        account_home(account_name),
    ]


def edited_links(account_name: str, md5: str, list_ids) -> list[dict]:
    href = subscriber_href(account_name, md5)
    return [
        link(href, "related /rels/subscriber", "Updated subscriber"),
        link(href, "edit /rels/edit-subscriber", "Edit subscriber"),
        link(unsubscribe_href(account_name, md5), "/rels/unsubscribe", "Unsubscribe"),
        *remove_links(account_name, md5, list_ids),
        account_home(account_name),
    ]


def subscribers_href(account_name: str) -> str:
    return url("subscriber-collection", account_name=account_name)


def list_subscribers_page(account_name: str, list_id: int, rows, memberships, total: int, params: PageParams) -> dict:
    collection = list_subscribers_href(account_name, list_id)
    return page_envelope(
        [subscriber_item(account_name, row, memberships[row.pk], in_list=list_id) for row in rows],
        total,
        params,
        path=collection,
        collection_rel="/rels/subscribers-collection",
        affordances=[
            link(list_href(account_name, list_id), "parent /rels/list", "Parent List"),
            link(collection, "/rels/subscribe-to-list", "Subscribe"),
            link(import_href(account_name, list_id), "/rels/import-to-list", "Import subscribers"),
            account_home(account_name),
        ],
    )


def subscribers_page(
    account_name: str, rows, memberships, total: int, params: PageParams, *, status: str | None
) -> dict:
    return page_envelope(
        [subscriber_item(account_name, row, memberships[row.pk]) for row in rows],
        total,
        params,
        path=subscribers_href(account_name),
        collection_rel="/rels/subscribers-collection",
        affordances=[account_home(account_name, "parent /rels/account-home")],
        filters={"status": status},
    )


def removed_links(account_name: str, md5: str, list_id: int) -> list[dict]:
    return [
        link(list_subscribers_href(account_name, list_id), "parent /rels/subscribers-collection", "List subscribers"),
        link(subscriber_href(account_name, md5), "related /rels/subscriber", "Subscriber"),
        account_home(account_name),
    ]


def unsubscribed_links(account_name: str, md5: str) -> list[dict]:
    href = subscriber_href(account_name, md5)
    return [
        link(href, "related /rels/subscriber", "Unsubscribed subscriber"),
        link(href, "edit /rels/edit-subscriber", "Edit subscriber"),
        account_home(account_name),
    ]


def contact_href(md5: str) -> str:
    return url("v1-contact-detail", email_md5=md5)


def contacts_href() -> str:
    return url("v1-contact-collection")


def contact(account_name: str, subscriber, list_ids, field_types, consents=()) -> dict:
    """The subscriber's detail with the links of /api/v1/contacts."""
    body = subscriber_detail(account_name, subscriber, list_ids, field_types, consents)
    href = contact_href(subscriber.email_md5)
    body["_links"] = [
        link(href, "self /rels/contact", "Contact"),
        link(href, "edit /rels/edit-contact", "Edit contact"),
        link(href, "/rels/erase-contact", "Erase contact"),
        link(
            subscriber_href(account_name, subscriber.email_md5),
            "alternate /rels/subscriber",
            "The same subscriber on the hypermedia surface",
        ),
        link(contacts_href(), "collection /rels/contacts-collection", "Contacts"),
    ]
    return body


def contacts_page(
    account_name: str, page: Page, memberships, field_types, collection: Collection, query: Query, consents=None
) -> dict:
    consents = consents or {}
    return envelope(
        [contact(account_name, row, memberships[row.pk], field_types, consents.get(row.pk, ())) for row in page.rows],
        page,
        collection,
        query,
        path=contacts_href(),
        collection_rel="/rels/contacts-collection",
    )


def subscriber_event(subscriber, **extra) -> dict:
    """A subscriber as the events of outgoing webhooks carry it (``data`` of ``subscriber.*``, api.events)."""
    return {
        "emailAddress": subscriber.email,
        "emailMd5": subscriber.email_md5,
        "status": subscriber.status,
        "fields": subscriber.fields,
        **extra,
    }
