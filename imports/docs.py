from api.links import url_template
from api.registry import affordance, profile, rel
from imports import problems  # noqa: F401  (the group's problem types, for /errors)

AUTH = ("401.1-invalid-token", "403.1-forbidden-wrong-account")

profile(
    "import-input",
    "Import (JSON)",
    {
        "description": (
            "Subscribers to import into a list. CSV (text/csv or application/csv), XLS, XLSX, multipart/form-data "
            "and an HTML form (application/x-www-form-urlencoded, see import-form) are accepted too."
        ),
        "type": "object",
        "required": ["items"],
        "properties": {
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["emailAddress"],
                    "properties": {
                        "emailAddress": {"type": "string"},
                        "fields": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["fieldName"],
                                "properties": {"fieldName": {"type": "string"}, "value": {}},
                            },
                        },
                    },
                },
            },
            "callback": {
                "type": "string",
                "format": "uri",
                "description": "POSTed the task when it ends, signed with X-Signature (HMAC-SHA256).",
            },
            "doubleOptIn": {
                "type": "boolean",
                "default": False,
                "description": "Addresses not yet in the list get a pending membership and a confirmation email "
                "(result `pending`) instead of joining. Other formats: the `doubleOptIn` query parameter or form "
                "field.",
            },
        },
    },
)
profile(
    "import-form",
    "Import (HTML form)",
    {
        "description": "An import sent as an HTML form (application/x-www-form-urlencoded): the text of a CSV or "
        "JSON file. A workbook goes as multipart/form-data or as the request body.",
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": {"type": "string", "description": "The file's text: CSV with a header row, or the JSON body."},
            "content-type": {
                "enum": ["text/csv", "application/csv", "application/json"],
                "default": "text/csv",
                "description": "What `file` holds.",
            },
            "callback": {"type": "string", "format": "uri", "description": "As in import-input."},
            "doubleOptIn": {"enum": ["true", "false", "1", "0"], "description": "As in import-input."},
        },
    },
)


rel(
    "import-to-list",
    "Import subscribers to a list",
    "POST JSON items, CSV (text/csv or application/csv), XLS, XLSX, a multipart file or an HTML form "
    "(application/x-www-form-urlencoded, profile import-form): 202 with the Location of the import task. "
    "`…/lists/{listId}/import`, the href the received Blueprint gives, is the same endpoint.",
    method="POST",
    request_profile="import-input",
    response_profile="message",
    problems=(
        "400.40-invalid-import-file",
        "400.41-callback-refused",
        "404.1-not-found",
        "413.1-payload-too-large",
        "415.1-unsupported-media-type",
        *AUTH,
    ),
)


affordance(
    152,
    lambda account: url_template("list-import", {"account_name": account}, {"list_id": "listId"}),
    "/rels/import-to-list",
    "Import subscribers to a list",
    templated=True,
)
