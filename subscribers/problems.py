from api.registry import problem

SUBSCRIBER_SUPPRESSED = problem(
    409,
    2,
    "subscriber-suppressed",
    "The subscriber is unsubscribed or hard-bounced.",
    "Subscribing does not silently reactivate an unsubscribed or hard-bounced subscriber. Send "
    '`"resubscribe": true` when the person has asked again (for example through your own opt-in form). An '
    "erased address (a contact deleted through /api/v1) answers the same, and a rename onto it is refused.",
)
EMAIL_IN_USE = problem(
    409,
    3,
    "email-in-use",
    "Another subscriber has this email address.",
    "Renaming a subscriber to an address another subscriber of the account already has is refused.",
)
