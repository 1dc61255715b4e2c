from api.links import account_home, link, url


def field_href(account_name: str, name: str) -> str:
    return url("field-detail", account_name=account_name, field_name=name)


def fields_href(account_name: str) -> str:
    return url("field-collection", account_name=account_name)


def _edit_links(account_name: str, field) -> list[dict]:
    href = field_href(account_name, field.name)
    links = [link(href, "/rels/edit-field", "Edit field")]
    if not field.predefined:
        links.append(link(href, "/rels/delete-field", "Delete field"))
    return links


def _data(field) -> dict:
    return {
        "fieldName": field.name,
        "label": field.label,
        "type": field.type,
        "predefined": field.predefined,
        "private": field.private,
        "indexed": field.indexed,
        "indexStatus": field.index_status,
    }


def field_item(account_name: str, field) -> dict:
    href = field_href(account_name, field.name)
    return {
        **_data(field),
        "_links": [link(href, "item /rels/field", "Field details"), *_edit_links(account_name, field)],
    }


def field_detail(account_name: str, field) -> dict:
    href = field_href(account_name, field.name)
    return {
        **_data(field),
        "_links": [
            link(href, "self /rels/field", "Field details"),
            *_edit_links(account_name, field),
            link(fields_href(account_name), "parent /rels/fields-collection", "Fields"),
            account_home(account_name),
        ],
    }


def fields_collection(account_name: str, fields) -> dict:
    return {
        "items": [field_item(account_name, field) for field in fields],
        "_links": [
            account_home(account_name, "parent /rels/account-home"),
            link(fields_href(account_name), "self /rels/fields-collection", "Fields"),
            link(fields_href(account_name), "/rels/create-field", "Create a new field"),
            link(fields_href(account_name), "self /rels/add-field", "Create a new field"),
        ],
    }


def field_deleted_links(account_name: str) -> list[dict]:
    return [link(fields_href(account_name), "parent /rels/fields-collection", "Fields"), account_home(account_name)]


def field_written_links(account_name: str, field, description: str) -> list[dict]:
    return [
        link(fields_href(account_name), "parent /rels/fields-collection", "Fields"),
        link(field_href(account_name, field.name), "related /rels/field", description),
        *_edit_links(account_name, field),
        account_home(account_name),
    ]
