"""Delivering one single email: claim its message, build it, send it, record the outcome.

Called by the job (emails/jobs.py), which schedules the retry this returns: the service that queues the job
(emails/services.py) imports the job, so the job cannot import that module back.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from campaigns.content import Compiled
from campaigns.journal import Journals, email_claim
from campaigns.messages import single_message_claim, single_message_record
from campaigns.mime import MessageBuilder
from campaigns.models import MessageStatus
from campaigns.outcomes import RETRY, decide
from campaigns.transport import Outcome, transport_open
from domains.selectors import signer_for
from emails.models import SingleEmail

NOT_SENT_RETRY = timedelta(seconds=1)  # the journal could not take the send: try again soon


def email_deliver(*, message_id: int) -> datetime | None:
    """When to try again (a 4xx, or a fault on our side or the server's), or None: sent, refused for good,
    or nothing to do (the message was claimed already: a duplicate job sends nothing).

    Like a campaign batch, the send has a journal (campaigns/journal.py), opened before the claim commits and
    given the outcome before it is recorded: a worker that dies leaves the sweeper's recovery knowing whether
    the server accepted it, whether it was on the wire, or whether it never went out."""
    claimed_at = timezone.now()
    journals = Journals()
    try:
        send_journal = journals.open(email_claim(message_id, claimed_at))
        message = single_message_claim(message_id, now=claimed_at)
        if message is None:
            send_journal.discard()
            return None
        return _deliver(message, send_journal)
    finally:
        journals.close()


def _deliver(message, send_journal) -> datetime | None:
    single = SingleEmail.objects.get(pk=message.pk)
    builder = MessageBuilder(
        compiled=Compiled(**single.compiled),
        from_name=single.from_name,
        from_email=single.from_email,
        reply_to=single.reply_to,
        base_url=settings.PUBLIC_BASE_URL,
        signer=signer_for(account_id=message.account_id, from_email=single.from_email),
    )
    send_journal.bind([message.pk])
    outcome = _sent(builder, message, single, send_journal)
    send_journal.settle([outcome])
    now = timezone.now()
    decision = decide(outcome, attempts=message.attempts + 1, now=now, on_fault=RETRY)
    single_message_record(message=message, decision=decision, now=now)
    send_journal.discard()
    if decision.status != MessageStatus.QUEUED:
        return None
    return decision.next_attempt_at or now + NOT_SENT_RETRY


def _sent(builder: MessageBuilder, message, single: SingleEmail, send_journal) -> Outcome | None:
    """The send's outcome; None when it did not happen (the journal could not say it would)."""
    try:
        data = builder.build(message.pk, message.to_email, single.values)
    except Exception as exc:
        return Outcome("fault", None, f"{type(exc).__name__}: {exc}"[:1000])
    transport = transport_open()
    outcomes: list[Outcome | None] = []
    try:
        transport.send_many(single.from_email, [(message.to_email, data)], outcomes, send_journal)
    except Exception as exc:
        return Outcome("unknown", None, f"{type(exc).__name__}: {exc}"[:1000])
    finally:
        transport.close()
    return outcomes[0] if outcomes else None
