from api.registry import problem

RECIPIENT_SUPPRESSED = problem(
    422,
    1,
    "recipient-suppressed",
    "The recipient does not receive email from this account.",
    "The address belongs to a contact that hard-bounced or unsubscribed, or it was erased (suppressed): "
    "a single email to it is refused and nothing is sent.",
)
IDEMPOTENCY_KEY_REUSED = problem(
    422,
    2,
    "idempotency-key-reused",
    "The Idempotency-Key was used with another request body.",
    "Within 24 hours an `Idempotency-Key` answers its first request again; a different body with the same key "
    "is refused. Use a new key for a new email.",
)
