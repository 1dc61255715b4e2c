from api.registry import problem

NOT_PENDING = problem(
    409,
    9,
    "not-pending",
    "The subscriber has no pending membership of this list.",
    "Only a membership waiting for its double opt-in confirmation can have its confirmation email resent: the "
    "subscriber is already a member, or never asked, or the request lapsed (subscribe again).",
)
CONFIRMATION_LIMIT = problem(
    429,
    3,
    "confirmation-limit",
    "Too many confirmation emails for this address.",
    "At most `DOUBLE_OPT_IN_RESENDS_PER_DAY` (3 by default) confirmation emails are resent to one address in 24 "
    "hours; retry after the seconds given by `Retry-After`.",
)
