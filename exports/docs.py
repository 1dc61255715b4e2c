from api.links import url
from api.registry import affordance, profile, rel
from exports import problems  # noqa: F401  (the group's problem types, for /errors)
from exports.models import CSV, FORMATS, KINDS
from subscribers.models import Status

AUTH = ("401.1-invalid-token", "403.1-forbidden-wrong-account")
ID = {"type": ["integer", "null"], "minimum": 1}

profile(
    "export-input",
    "Export",
    {
        "description": (
            "What to export, as a task whose representation links the file once done. `subscribers`: the account's "
            "subscribers (all; or of `listId`, with `status`, matching `segmentId`: the filters given all apply), "
            "one row each: address, MD5, status, times, lists, consent (that list's record in columns for a list, "
            "every record in one `consents` column otherwise), then one column per field of the account. "
            "`campaign-report`: one row per message of `campaignId`: recipient, status, sent at, SMTP answer, "
            "opens, clicks, first open and click, bounce, complaint, unsubscribe. A cell that a spreadsheet would "
            "run as a formula (`=`, `+`, `-`, `@`, tab, CR first) starts with an apostrophe."
        ),
        "type": "object",
        "required": ["kind"],
        "properties": {
            "kind": {"enum": list(KINDS)},
            "format": {"enum": list(FORMATS), "default": CSV},
            "listId": ID,
            "segmentId": ID,
            "status": {"enum": [*Status.values, None]},
            "campaignId": {**ID, "description": "The campaign of a `campaign-report` (required there, only there)."},
            "callback": {
                "type": "string",
                "format": "uri",
                "description": "POSTed the task when it ends, signed with X-Signature (HMAC-SHA256).",
            },
        },
    },
)

rel(
    "exports",
    "Export subscribers or a campaign report",
    "POST an export (profile export-input): 202 with the Location of the export task. When the task is done its "
    "representation links the file (`/rels/export-file`).",
    method="POST",
    request_profile="export-input",
    response_profile="message",
    problems=(
        "400.2-validation-error",
        "400.24-missing-data",
        "400.41-callback-refused",
        "400.54-export-filter-not-found",
        "400.55-export-filters-invalid",
        "409.13-exports-unavailable",
        *AUTH,
    ),
)
rel(
    "export-file",
    "Export file",
    "GET: a finished export's file (text/csv, or an XLSX workbook), as an attachment. The link is signed and needs "
    "no key; it expires after EXPORT_LINK_SECONDS at least (410 then: GET the task for a fresh one), and the file "
    "is deleted EXPORT_RETENTION_SECONDS after the task ended.",
    problems=("404.1-not-found", "410.1-export-link-gone"),
)

affordance(
    320,
    lambda account: url("export-collection", account_name=account),
    "/rels/exports",
    "Export subscribers or a campaign report",
)
