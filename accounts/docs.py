"""API keys in the docs registry: their profiles, rels, model and the account index's links."""

from accounts import problems  # noqa: F401  (the keys' problem types, for /errors)
from accounts.selectors import KEY_STATUSES
from api.links import url, url_template
from api.pagination import collection_schema
from api.registry import affordance, model, profile, ref, rel
from api.scopes import ALL_SCOPES
from api.v1 import page_schema

LINKS = {"type": "array", "items": ref("link")}
TIME = {"type": "string", "format": "date-time"}
MAYBE_TIME = {"type": ["string", "null"], "format": "date-time"}
SCOPES = {
    "type": "array",
    "items": {"type": "string", "enum": list(ALL_SCOPES)},
    "description": "What the key may do: `full`, `read`, or `<area>:read` / `<area>:write` (write implies read) for "
    "the areas lists, imports, campaigns, emails, analytics, exports, keys and webhooks (README: Access).",
}
BODY = {
    "keyId": {"type": "integer"},
    "name": {"type": "string"},
    "prefix": {"type": "string", "description": "The key's first 8 characters: how to recognise it."},
    "scopes": SCOPES,
    "status": {"type": "string", "enum": list(KEY_STATUSES)},
    "createdAt": TIME,
    "lastUsedAt": {**MAYBE_TIME, "description": "When the key was last used, to the minute; null: never."},
    "expiresAt": {**MAYBE_TIME, "description": "When the key stops working; null: never."},
    "revokedAt": MAYBE_TIME,
    "_links": LINKS,
}
REQUIRED = ["keyId", "name", "prefix", "scopes", "status", "createdAt", "lastUsedAt", "expiresAt", "revokedAt"]
profile(
    "api-key",
    "API key",
    {
        "description": "An API key of the account: never its plaintext, which only the answer to its creation holds.",
        "type": "object",
        "required": [*REQUIRED, "_links"],
        "properties": BODY,
    },
)
profile(
    "new-api-key",
    "New API key",
    {
        "description": "A key just created: its representation and `key`, the plaintext, shown in this answer only "
        "(`Cache-Control: no-store`). Store it now: the server keeps only its hash.",
        "type": "object",
        "required": [*REQUIRED, "key", "_links"],
        "properties": {**BODY, "key": {"type": "string", "pattern": "^[0-9a-f]{32}$"}},
    },
)
profile(
    "api-keys-collection",
    "API keys collection",
    collection_schema("api-key", "A page of the account's keys, oldest first, revoked and expired ones included."),
)
profile(
    "api-keys-page",
    "API keys page (/api/v1)",
    page_schema(ref("api-key"), "A page of the account's keys by `limit` and `offset`, or by `cursor`.", LINKS),
)
profile(
    "api-key-input",
    "API key input",
    {
        "description": "The body to create a key. Its scopes and expiry can be no more than the creating key's own "
        "(403.6); an unknown scope answers 400.59, an expiry not in the future 400.60.",
        "type": "object",
        "required": ["name", "scopes"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 100},
            "scopes": {**SCOPES, "minItems": 1},
            "expiresAt": {
                **MAYBE_TIME,
                "description": "When the key stops working (an instant with its offset); null or absent: never.",
            },
        },
    },
)

AUTH = ("401.1-invalid-token", "403.1-forbidden-wrong-account", "403.5-missing-scope")
rel(
    "api-keys-collection",
    "API keys",
    "A page of the account's keys (`page`, `per_page`; on /api/v1 `limit`, `offset`, `cursor`), `status` to choose "
    "active, expired or revoked ones. Needs `keys:read`.",
    response_profile="api-keys-collection",
    problems=("400.3-invalid-parameter", *AUTH),
)
rel(
    "create-api-key",
    "Create an API key",
    "POST a name, scopes and optionally `expiresAt`: 201 with the key's plaintext (`key`), in that answer only, and "
    "`Location`. Needs `keys:write`, and a key cannot give more than its own scopes or outlive itself.",
    method="POST",
    request_profile="api-key-input",
    response_profile="new-api-key",
    problems=(
        "400.24-missing-data",
        "400.2-validation-error",
        "400.59-unknown-scope",
        "400.60-invalid-expiry",
        "403.6-scope-escalation",
        *AUTH,
    ),
)
rel(
    "api-key",
    "API key",
    "A key: name, prefix, scopes, status, when it was created, last used (to the minute), expires and was revoked. "
    "Needs `keys:read`.",
    response_profile="api-key",
    problems=("404.1-not-found", *AUTH),
)
rel(
    "revoke-api-key",
    "Revoke an API key",
    "POST (no body): the key stops working on the next request, on every app server. A key cannot revoke one with "
    "more rights than its own; it may revoke itself. Needs `keys:write`.",
    method="POST",
    response_profile="message",
    problems=("404.1-not-found", "403.6-scope-escalation", "409.14-key-revoked", *AUTH),
)

model(
    "api-key",
    "API key",
    "A credential of the account: 32 hex digits shown once, stored as a hash. Its scopes say what it may do (`full`, "
    "`read`, or read or write per area); it may expire; revoked, it stops working everywhere on the next request.",
    profile="api-key",
)
model(
    "api-keys-collection",
    "API keys collection",
    "A page of API keys, with the pagination envelope.",
    profile="api-keys-collection",
)


def _key_template(view):
    return lambda account: url_template(view, {"account_name": account}, {"key_id": "keyId"})


affordance(910, lambda account: url("key-collection", account_name=account), "/rels/api-keys-collection", "API keys")
affordance(
    911, lambda account: url("key-collection", account_name=account), "/rels/create-api-key", "Create an API key"
)
affordance(912, _key_template("key-detail"), "/rels/api-key", "API key details", templated=True)
affordance(913, _key_template("key-revoke"), "/rels/revoke-api-key", "Revoke an API key", templated=True)
