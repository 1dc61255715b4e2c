"""The hypermedia core's own entries in the registry."""

from api.registry import model, profile, ref, rel

profile(
    "link",
    "Link",
    {
        "description": "A hypermedia link. `rel` holds space-separated relation types.",
        "type": "object",
        "required": ["href", "rel"],
        "properties": {
            "href": {"type": "string", "description": "A URI, or a URI template when `templated` is true."},
            "rel": {"type": "string"},
            "description": {"type": "string"},
            "templated": {"type": "boolean"},
        },
        "additionalProperties": False,
    },
)

LINKS = {"type": "array", "items": ref("link")}

profile(
    "message",
    "Message",
    {
        "description": "A human readable message and the affordances that follow from it.",
        "type": "object",
        "required": ["message", "_links"],
        "properties": {
            "message": {"type": "string"},
            "notices": {
                "type": "array",
                "description": "The account index only, and only when there is something to tell the account: "
                "each notice's `type`, `detail` and the `href` of what it is about (a webhook the server disabled "
                "after its deliveries kept failing: `webhook-disabled`).",
                "items": {
                    "type": "object",
                    "required": ["type", "detail", "href"],
                    "properties": {
                        "type": {"type": "string"},
                        "detail": {"type": "string"},
                        "href": {"type": "string"},
                    },
                },
            },
            "_links": LINKS,
        },
    },
)

profile(
    "problem",
    "Problem",
    {
        "description": "An error, as application/problem+json (RFC 9457).",
        "type": "object",
        "required": ["type", "title", "detail", "status", "errorCode"],
        "properties": {
            "type": {"type": "string", "pattern": "^/errors/[0-9]{3}\\.[0-9]+-[a-z0-9-]+$"},
            "title": {"type": "string"},
            "detail": {"type": "string"},
            "status": {"type": "integer"},
            "errorCode": {"type": "integer"},
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["field", "detail"],
                    "properties": {"field": {"type": ["string", "null"]}, "detail": {"type": "string"}},
                },
            },
            "requestId": {
                "type": "string",
                "description": "The request's id, as in its `X-Request-ID` header and the server's log line.",
            },
            "requiredScopes": {
                "type": "array",
                "items": {"type": "string"},
                "description": "`403.5-missing-scope` only: the scopes the request needs, any one of them.",
            },
        },
    },
)

profile(
    "health",
    "Health",
    {
        "description": "The answer of `/healthz` (the process is up) and `/readyz` (its database and Redis answer).",
        "type": "object",
        "required": ["status", "_links"],
        "properties": {
            "status": {"type": "string", "enum": ["ok", "ready"]},
            "checks": {
                "type": "object",
                "description": "Each service `/readyz` checked: `ok`, `down`, or `not-configured` (Redis when jobs run "
                "in-process).",
                "additionalProperties": {"type": "string", "enum": ["ok", "down", "not-configured"]},
            },
            "_links": LINKS,
        },
    },
)

rel(
    "account-home",
    "Account index",
    "The entry point of one account: links to the affordances the server offers for it that the API key's scopes "
    "allow (a read-only key sees no create, edit or delete link; a key without `campaigns:read` no campaign link).",
    response_profile="message",
    problems=("401.1-invalid-token", "401.2-missing-token", "403.1-forbidden-wrong-account"),
)
rel(
    "specific-page",
    "Go to a page",
    "A URI template of a paginated collection; fill `{page}` (from 1) to get that page.",
)

model(
    "message",
    "Message",
    "A response that carries a human readable `message` and `_links` to the next affordances. "
    "The general entry point `/`, the account index and the answers to writes are messages.",
    profile="message",
)
model(
    "problem",
    "Problem",
    "An error answer: `type` (a link to its description under `/errors`), `title`, `detail` naming "
    "what was wrong, `status`, `errorCode`, and for validation errors `errors`, one entry per field.",
    profile="problem",
)
