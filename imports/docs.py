from api.links import url_template
from api.registry import affordance, profile, rel
from imports import problems  # noqa: F401  (the group's problem types, for /errors)

AUTH = ("401.1-invalid-token", "403.1-forbidden-wrong-account")

profile(
    "import-input",
    "Import (JSON)",
    {
        "description": "Subscribers to import into a list. CSV, XLS, XLSX and multipart/form-data are accepted too.",
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
        },
    },
)


rel(
    "import-to-list",
    "Import subscribers to a list",
    "POST JSON items, CSV, XLS, XLSX or a multipart file: 202 with the Location of the import task.",
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
