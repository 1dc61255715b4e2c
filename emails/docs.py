"""What /api/v1/emails documents: its profiles, rels, model and problem types (the same registry feeds /rels,
/schemas, /models, /errors and the OpenAPI schema)."""

from api.registry import model, profile, ref, rel
from api.v1 import page_schema
from emails import problems  # noqa: F401  (the single email's problem types, for /errors)
from emails.selectors import STATUSES

TIME = {"type": ["string", "null"], "format": "date-time"}
COUNT = {"type": "integer", "minimum": 0}
LINKS = {"type": "array", "items": ref("link")}
AUTH = ("401.1-invalid-token", "403.1-forbidden-wrong-account")

EMAIL_SUMMARY = {
    "emailId": {"type": "integer"},
    "to": {"type": "string", "description": "Empty once the contact was erased."},
    "subject": {"type": "string"},
    "campaignId": {"type": ["integer", "null"], "description": "null for a single email."},
    "status": {
        "enum": STATUSES,
        "description": "bounced: the server refused it (5xx, or 4xx after every attempt); held: an A/B "
        "campaign's message waiting for the test's winner (then queued with it).",
    },
    "attempts": COUNT,
    "createdAt": TIME,
    "sentAt": TIME,
    "_links": LINKS,
}
EMAIL_SUMMARY_REQUIRED = ["emailId", "to", "subject", "campaignId", "status", "sentAt", "_links"]
profile(
    "email-summary",
    "Email (summary)",
    {
        "description": "One message to one address: of a campaign, or a single email.",
        "type": "object",
        "required": EMAIL_SUMMARY_REQUIRED,
        "properties": EMAIL_SUMMARY,
    },
)
profile(
    "email",
    "Email",
    {
        "description": "One message to one address with its events, oldest first.",
        "type": "object",
        "required": [*EMAIL_SUMMARY_REQUIRED, "fromName", "fromEmail", "events"],
        "properties": {
            **EMAIL_SUMMARY,
            "fromName": {"type": "string"},
            "fromEmail": {"type": "string"},
            "events": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["type", "at"],
                    "properties": {
                        "type": {"enum": ["sent", "bounced", "opened", "clicked", "unsubscribed", "complained"]},
                        "at": {"type": "string", "format": "date-time"},
                        "url": {"type": "string"},
                        "detail": {"type": "string"},
                    },
                },
            },
        },
    },
)
profile(
    "emails-page",
    "Emails page (/api/v1)",
    page_schema(
        ref("email-summary"),
        "A page of the account's emails (campaign messages and single emails) by `limit` and `offset`, or by `cursor`.",
        LINKS,
    ),
)
profile(
    "email-send-input",
    "Single email",
    {
        "description": "A single email. Merge tags `{{ name }}` or `{{ name | fallback }}` take `values` (any name), "
        "`emailAddress` and `unsubscribeUrl`. `fromEmail` defaults to the account's name.",
        "type": "object",
        "required": ["to", "subject"],
        "properties": {
            "to": {"type": "string", "format": "email", "maxLength": 254},
            "subject": {"type": "string", "minLength": 1, "maxLength": 500},
            "html": {"type": "string"},
            "text": {"type": "string"},
            "fromName": {"type": "string", "maxLength": 200},
            "fromEmail": {"type": "string", "format": "email", "maxLength": 254},
            "replyTo": {"type": "string", "format": "email", "maxLength": 254},
            "values": {
                "type": "object",
                "maxProperties": 200,
                "additionalProperties": {"type": ["string", "number", "boolean", "null"]},
            },
        },
    },
)
rel(
    "emails-collection",
    "Emails",
    "A page of the account's emails (`limit`/`offset` or `cursor`; `status`, "
    "`campaign`, `recipient`, `sent_before`, `sent_after`; sort `id` or `sentAt`).",
    response_profile="emails-page",
    problems=("400.3-invalid-parameter", *AUTH),
)
rel(
    "email",
    "Email",
    "One email with its events (sent, bounced, opened, clicked, unsubscribed, complained).",
    response_profile="email",
    problems=("404.1-not-found", *AUTH),
)
rel(
    "send-email",
    "Send an email",
    "POST a single email: 202 with `Location`; a job sends it. `Idempotency-Key` makes a retry safe.",
    method="POST",
    request_profile="email-send-input",
    response_profile="email",
    problems=(
        "400.24-missing-data",
        "400.2-validation-error",
        "422.1-recipient-suppressed",
        "422.2-idempotency-key-reused",
        *AUTH,
    ),
)
model(
    "email",
    "Email",
    "One message to one address (of a campaign, or a single email) with its delivery status and events.",
    profile="email",
)
