from api.registry import rel
from consent import problems  # noqa: F401  (the group's problem types, for /errors)

rel(
    "resend-confirmation",
    "Resend the confirmation email",
    "POST (no body) on a pending membership (double opt-in): another confirmation email is queued, 202. At most "
    "`DOUBLE_OPT_IN_RESENDS_PER_DAY` a day per address (429.3 with `Retry-After` past it); 409.9 when the "
    "membership is not pending.",
    method="POST",
    response_profile="message",
    problems=(
        "404.1-not-found",
        "409.9-not-pending",
        "429.3-confirmation-limit",
        "401.1-invalid-token",
        "403.1-forbidden-wrong-account",
    ),
)
