"""Delivering one single email: claim its message, build it, send it, record the outcome.

Called by the job (emails/jobs.py), which schedules the retry this returns: the service that queues the job
(emails/services.py) imports the job, so the job cannot import that module back.
"""

from datetime import datetime

from django.conf import settings
from django.utils import timezone

from campaigns.content import Compiled
from campaigns.messages import single_message_claim, single_message_record
from campaigns.mime import MessageBuilder
from campaigns.models import MessageStatus
from campaigns.outcomes import RETRY, decide
from campaigns.transport import Outcome, transport_open
from emails.models import SingleEmail


def email_deliver(*, message_id: int) -> datetime | None:
    """When to try again (a 4xx, or a fault on our side or the server's), or None: sent, refused for good,
    or nothing to do (the message was claimed already: a duplicate job sends nothing)."""
    message = single_message_claim(message_id)
    if message is None:
        return None
    single = SingleEmail.objects.get(pk=message_id)
    builder = MessageBuilder(
        compiled=Compiled(**single.compiled),
        from_name=single.from_name,
        from_email=single.from_email,
        reply_to=single.reply_to,
        base_url=settings.PUBLIC_BASE_URL,
    )
    outcome = _sent(builder, message, single)
    now = timezone.now()
    decision = decide(outcome, attempts=message.attempts + 1, now=now, on_fault=RETRY)
    single_message_record(message=message, decision=decision, now=now)
    return decision.next_attempt_at if decision.status == MessageStatus.QUEUED else None


def _sent(builder: MessageBuilder, message, single: SingleEmail) -> Outcome:
    try:
        data = builder.build(message.pk, message.to_email, single.values)
    except Exception as exc:
        return Outcome("fault", None, f"{type(exc).__name__}: {exc}"[:1000])
    transport = transport_open()
    try:
        return transport.send(single.from_email, message.to_email, data)
    except Exception as exc:
        return Outcome("unknown", None, f"{type(exc).__name__}: {exc}"[:1000])
    finally:
        transport.close()
