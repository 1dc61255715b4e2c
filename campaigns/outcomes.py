"""The one SMTP decision: what a send's outcome makes of its message, for campaign batches and single emails.

250 → sent; 5xx → hard-bounce; 4xx → queued again with backoff (SEND_RETRY_BACKOFF_SECONDS·2ⁿ⁻¹) up to
SEND_MAX_ATTEMPTS, then soft-bounce; failed and unknown are final. Where the two senders differ is a
server fault (and an attempt that never happened), named by ``on_fault``:

- ``REQUEUE`` (campaign batches): the sender itself waits the fault out and claims the row again, so it goes
  back to the queue at once with the attempt not counted; so does a row the batch never reached.
- ``RETRY`` (single emails): nobody waits for the server, so a fault is retried with backoff like a 4xx and
  ends ``failed`` after the last attempt.
"""

from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings

from campaigns.models import Message, MessageStatus
from campaigns.replies import Outcome

REQUEUE = "requeue"
RETRY = "retry"

# The counter (campaign stats and the account's daily analytics) that a final status adds to.
STAT_OF_STATUS = {
    MessageStatus.SENT: "sent",
    MessageStatus.HARD_BOUNCE: "hardBounces",
    MessageStatus.SOFT_BOUNCE: "softBounces",
    MessageStatus.FAILED: "failed",
    MessageStatus.UNKNOWN: "unknown",
    MessageStatus.SKIPPED: "skipped",
    MessageStatus.CANCELED: "canceled",
}
BOUNCES = (MessageStatus.HARD_BOUNCE, MessageStatus.SOFT_BOUNCE)


class Decision(NamedTuple):
    """The message's row after the attempt (a tuple: campaign batches write many in one statement)."""

    status: str
    attempts: int
    code: int | None
    response: str
    sent_at: datetime | None
    next_attempt_at: datetime | None
    provider_id: str = ""  # the provider's id of the message, when a provider took it


def decide(outcome: Outcome | None, *, attempts: int, now: datetime, on_fault: str) -> Decision:
    """``attempts``: the message's attempts, this one included (None ``outcome``: it was not made after all)."""
    if on_fault not in (REQUEUE, RETRY):
        raise ValueError(f"on_fault must be {REQUEUE!r} or {RETRY!r}, not {on_fault!r}")
    if outcome is None:
        return Decision(MessageStatus.QUEUED, attempts - 1, None, "", None, None)
    response = outcome.response.replace("\x00", "")  # PostgreSQL text cannot hold NUL
    if outcome.kind == "fault" and on_fault == REQUEUE:
        return Decision(MessageStatus.QUEUED, attempts - 1, None, response, None, None)
    code = outcome.code if isinstance(outcome.code, int) and 100 <= outcome.code <= 599 else None
    final = {
        "sent": MessageStatus.SENT,
        "hard": MessageStatus.HARD_BOUNCE,
        "unknown": MessageStatus.UNKNOWN,
        "failed": MessageStatus.FAILED,
    }.get(outcome.kind)
    if final is not None:
        sent_at = now if final == MessageStatus.SENT else None
        return Decision(final, attempts, code, response, sent_at, None, outcome.provider_id)
    if attempts < settings.SEND_MAX_ATTEMPTS:  # a 4xx (or a retried fault): again later, backing off
        delay = settings.SEND_RETRY_BACKOFF_SECONDS * 2 ** (attempts - 1)
        return Decision(MessageStatus.QUEUED, attempts, code, response, None, now + timedelta(seconds=delay))
    last = MessageStatus.FAILED if outcome.kind == "fault" else MessageStatus.SOFT_BOUNCE
    return Decision(last, attempts, code, response, None, None)


def write_outcome(message_id: int, decision: Decision) -> bool:
    """The decision on the message's row, if it is still ``sending`` (its claim's); False when it was not."""
    status, attempts, code, response, sent_at, next_at, provider_id = decision
    changes = {"provider_id": provider_id} if provider_id else {}
    return bool(
        Message.objects.filter(pk=message_id, status=MessageStatus.SENDING).update(
            status=status,
            attempts=attempts,
            smtp_code=code,
            smtp_response=response,
            sent_at=sent_at,
            next_attempt_at=next_at,
            **changes,
        )
    )
