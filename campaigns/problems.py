from api.registry import problem

CAMPAIGN_LOCKED = problem(
    409,
    6,
    "campaign-locked",
    "The campaign's content cannot change now.",
    "Only a draft or a scheduled campaign can be edited: once it starts, its content is frozen "
    "(links were rewritten for tracking and recipients may already have it).",
)
CAMPAIGN_ACTION_NOT_ALLOWED = problem(
    409,
    7,
    "campaign-action-not-allowed",
    "The action is not allowed in the campaign's current status.",
    "start: draft, scheduled or paused (or sending when every sender stopped beating); pause: sending; "
    "cancel: scheduled, sending or paused; delete: draft, sent or canceled. The campaign's `_links` list the "
    "actions allowed now.",
)
CAMPAIGN_NOT_READY = problem(
    400,
    42,
    "campaign-not-ready",
    "The campaign cannot be sent as it is.",
    "Sending (or scheduling) needs a subject, a from address, HTML or text content whose merge tags are "
    "valid, at least one list, and at least one active subscriber in those lists. `errors` names each gap.",
)
WEBHOOK_SECRET_INVALID = problem(
    401,
    3,
    "invalid-webhook-secret",
    "The webhook secret is missing or wrong.",
    "Send the server's BOUNCE_WEBHOOK_SECRET as `Authorization: Bearer SECRET`.",
)
TEST_SEND_LIMIT = problem(
    429,
    2,
    "test-send-limit",
    "The account has sent too many tests.",
    "An account may send `TEST_SENDS_PER_HOUR` test sends (20 by default) in a window of an hour opened by its "
    "first; retry after the seconds given by `Retry-After`. A test that was refused or could not be sent is not "
    "counted.",
)
SMTP_UNAVAILABLE = problem(
    503,
    2,
    "smtp-unavailable",
    "The SMTP server did not take the message.",
    "The server's SMTP server (`EMAIL_HOST`) could not be reached, did not answer in time, or refused the "
    "sender or the login, so nothing was sent; `detail` says what it answered. Retry later.",
)
