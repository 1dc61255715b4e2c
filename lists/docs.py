from api.links import url, url_template
from api.pagination import collection_schema
from api.registry import affordance, model, profile, ref, rel
from lists import problems  # noqa: F401  (the group's problem types, for /errors)

DOUBLE_OPT_IN = {
    "type": "boolean",
    "description": "New members must confirm by the link of a confirmation email: until then they are pending "
    "(not counted in subscribersQuantity, not sent campaigns); unconfirmed, they lapse after DOUBLE_OPT_IN_HOURS.",
}
_PART = {"type": ["string", "null"], "description": "null or blank: the default."}
CONFIRMATION_EMAIL = {
    "type": "object",
    "description": "The list's confirmation email (double opt-in); null parts are the defaults. Merge tags: "
    "`{{ confirmUrl }}` (required in a custom html or text part), `{{ listName }}`, `{{ emailAddress }}` and the "
    "account's fields.",
    "properties": {
        "subject": {**_PART, "maxLength": 500},
        "html": _PART,
        "text": _PART,
    },
}

profile(
    "list",
    "List",
    {
        "description": "A subscribers list.",
        "type": "object",
        "required": ["listId", "name", "subscribersQuantity", "_links"],
        "properties": {
            "listId": {"type": "integer"},
            "name": {"type": "string", "minLength": 1, "maxLength": 100},
            "subscribersQuantity": {"type": "integer", "minimum": 0, "description": "Active subscribers in the list."},
            "subcribersQuantity": {
                "type": "integer",
                "minimum": 0,
                "deprecated": True,
                "description": "Deprecated misspelling of subscribersQuantity, same value.",
            },
            "active": {"type": "boolean"},
            "public": {
                "type": "boolean",
                "description": "Shown on the preference page, where subscribers join or leave it themselves.",
            },
            "publicName": {
                "type": "string",
                "maxLength": 100,
                "description": "The name subscribers read on the preference page (empty: `name`).",
            },
            "publicDescription": {
                "type": "string",
                "maxLength": 300,
                "description": "A line under it on the preference page.",
            },
            "creation-date": {"type": "string", "format": "date-time", "description": "When the list was created."},
            "creationDate": {
                "type": "string",
                "format": "date-time",
                "description": "Alias of creation-date, same value (the camelCase spelling of the other members).",
            },
            "doubleOptIn": DOUBLE_OPT_IN,
            "confirmationEmail": {**CONFIRMATION_EMAIL, "required": ["subject", "html", "text"]},
            "_links": {"type": "array", "items": ref("link")},
        },
    },
)
profile("lists-collection", "Lists collection", collection_schema("list", "A page of the account's lists."))
profile(
    "list-input",
    "List input",
    {
        "description": "The body to create or edit a list.",
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 100, "description": "Trimmed."},
            "active": {"type": "boolean", "default": True},
            "doubleOptIn": {**DOUBLE_OPT_IN, "default": False},
            "confirmationEmail": CONFIRMATION_EMAIL,
            "public": {
                "type": "boolean",
                "default": False,
                "description": "Shown on the preference page; on an edit, absent keeps the current value.",
            },
            "publicName": {
                "type": "string",
                "maxLength": 100,
                "default": "",
                "description": "Trimmed; empty shows `name`. On an edit, absent keeps the current value.",
            },
            "publicDescription": {
                "type": "string",
                "maxLength": 300,
                "default": "",
                "description": "Trimmed. On an edit, absent keeps the current value.",
            },
        },
    },
)

LIST_PROBLEMS = ("401.1-invalid-token", "403.1-forbidden-wrong-account")
rel(
    "lists-collection",
    "Lists",
    "A page of the account's lists (`page`, `per_page`).",
    response_profile="lists-collection",
    problems=("400.3-invalid-parameter", *LIST_PROBLEMS),
)
rel(
    "create-list",
    "Create a list",
    "POST a name (and `active`, `public`, `publicName`, `publicDescription`, `doubleOptIn`, `confirmationEmail`) "
    "to create a list; 201 with `Location`.",
    method="POST",
    request_profile="list-input",
    response_profile="message",
    problems=("400.24-missing-data", "400.2-validation-error", "400.38-duplicated-name", *LIST_PROBLEMS),
)
rel(
    "list",
    "List",
    "A list: its name, active and public flags, public name and description, active subscribers and creation date.",
    response_profile="list",
    problems=("404.1-not-found", *LIST_PROBLEMS),
)
rel(
    "edit-list",
    "Edit a list",
    "PUT a name (and optionally `active`, `public`, `publicName`, `publicDescription`, `doubleOptIn`, "
    "`confirmationEmail`) to change the list; what is left out stays.",
    method="PUT",
    request_profile="list-input",
    response_profile="message",
    problems=("400.24-missing-data", "400.2-validation-error", "400.38-duplicated-name", "404.1-not-found"),
)
rel(
    "delete-list",
    "Delete a list",
    "DELETE the list and its memberships; the subscribers themselves are kept.",
    method="DELETE",
    response_profile="message",
    problems=("404.1-not-found",),
)

model(
    "list",
    "List",
    "A subscribers list of an account: `listId`, `name` (unique among the account's active lists, "
    "case-insensitively), `active`, `public` (shown on the preference page, where subscribers join or leave "
    "it; `false` unless set), `publicName` and `publicDescription` (what subscribers read there), "
    "`subscribersQuantity` (active members; `subcribersQuantity` is a deprecated alias) and `creationDate`.",
    profile="list",
)
model(
    "lists-collection", "Lists collection", "A page of lists, with the pagination envelope.", profile="lists-collection"
)


def _list_template(view):
    return lambda account: url_template(view, {"account_name": account}, {"list_id": "listId"})


affordance(100, lambda account: url("list-collection", account_name=account), "/rels/lists-collection", "Lists")
affordance(101, lambda account: url("list-collection", account_name=account), "/rels/create-list", "Create a list")
affordance(102, _list_template("list-detail"), "/rels/list", "List details", templated=True)
affordance(103, _list_template("list-detail"), "edit /rels/edit-list", "Edit a list", templated=True)
affordance(104, _list_template("list-detail"), "delete /rels/delete-list", "Delete a list", templated=True)
