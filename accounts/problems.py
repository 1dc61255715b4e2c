from api.registry import problem

SCOPE_ESCALATION = problem(
    403,
    6,
    "scope-escalation",
    "A key cannot give more rights than its own.",
    "Creating a key with a scope the creating key does not hold (`full` only from a `full` key, `read` only from a "
    "`read` or `full` key, `<area>:write` only from a key that may write there), or that outlives the creating key "
    "(a key that expires makes keys that expire no later), or revoking a key that has more rights than the revoking "
    "one: `errors` names each scope (or `expiresAt`). Use a key with more rights.",
)
UNKNOWN_SCOPE = problem(
    400,
    59,
    "unknown-scope",
    "A scope is not one the server knows.",
    "`scopes` names something other than `full`, `read` or `<area>:read` / `<area>:write` for one of the areas "
    "(lists, imports, campaigns, emails, analytics, exports, keys, webhooks); `errors` names each, `detail` lists "
    "the known scopes.",
)
INVALID_EXPIRY = problem(
    400,
    60,
    "invalid-expiry",
    "The key's expiry is not in the future.",
    "`expiresAt` must be an instant after now (with its offset), or null for a key that does not expire.",
)
KEY_REVOKED = problem(
    409,
    14,
    "key-revoked",
    "The key is already revoked.",
    "Revoking a key that is already revoked changes nothing; its `revokedAt` says when it was.",
)
