"""Delivering one single email: claim its message, build it, send it, record the outcome.

Called by the job (emails/jobs.py), which schedules the retry this returns: the service that queues the job
(emails/services.py) imports the job, so the job cannot import that module back.
"""

import time
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from redis.exceptions import RedisError

from accounts.selectors import account_send_limits
from campaigns import servers, throttle
from campaigns.content import Compiled
from campaigns.journal import Journals, email_claim
from campaigns.messages import single_message_claim, single_message_record
from campaigns.mime import MessageBuilder
from campaigns.models import Message, MessageStatus
from campaigns.outcomes import RETRY, decide
from campaigns.replies import Outcome
from domains.selectors import signer_for
from emails.models import SingleEmail

NOT_SENT_RETRY = timedelta(seconds=1)  # the journal could not take the send: try again soon
SLEEP_UP_TO_SECONDS = 1.0  # a wait for the sending limits this short is slept; a longer one is a later job


def email_deliver(*, message_id: int) -> datetime | None:
    """When to try again (a 4xx, or a fault on our side or the server's), or None: sent, refused for good,
    or nothing to do (the message was claimed already: a duplicate job sends nothing).

    Like a campaign batch, the send has a journal (campaigns/journal.py), opened before the claim commits and
    given the outcome before it is recorded: a worker that dies leaves the sweeper's recovery knowing whether
    the server accepted it, whether it was on the wire, or whether it never went out.

    The account's and the server's sending limits (campaigns/throttle.py) are met before the claim: a send
    they hold back is tried again when a slot frees, its message still queued and no attempt counted."""
    everyone = servers.configured()
    server = servers.pick(everyone)
    held = _held_back(message_id, server)
    if held is not None:
        return held
    claimed_at = timezone.now()
    journals = Journals()
    try:
        send_journal = journals.open(email_claim(message_id, claimed_at))
        message = single_message_claim(message_id, now=claimed_at)
        if message is None:
            send_journal.discard()
            return None
        return _deliver(message, send_journal, server, everyone)
    finally:
        journals.close()


def _held_back(message_id: int, server) -> datetime | None:
    """When to try again if the limits hold the send back (a short wait is slept here); None: it may go."""
    account_id = Message.objects.filter(pk=message_id).values_list("account_id", flat=True).first()
    if account_id is None:
        return None  # gone: the claim finds nothing
    limits = throttle.account_limits(account_id, *account_send_limits(account_id=account_id)) + server.limits
    while limits:
        try:
            grant = throttle.reserve(limits, 1)
        except RedisError:
            grant = throttle.Grant(0, NOT_SENT_RETRY.total_seconds())
        if grant.count:
            return None
        if grant.wait > SLEEP_UP_TO_SECONDS:
            return timezone.now() + timedelta(seconds=grant.wait)
        time.sleep(grant.wait)
    return None


def _deliver(message, send_journal, server, everyone) -> datetime | None:
    single = SingleEmail.objects.get(pk=message.pk)
    builder = MessageBuilder(
        compiled=Compiled(**single.compiled),
        from_name=single.from_name,
        from_email=single.from_email,
        reply_to=single.reply_to,
        base_url=settings.PUBLIC_BASE_URL,
        signer=signer_for(account_id=message.account_id, from_email=single.from_email)
        if servers.signed_here()
        else None,
    )
    send_journal.bind([message.pk])
    outcome = _sent(builder, message, single, send_journal, server, everyone)
    send_journal.settle([outcome])
    now = timezone.now()
    decision = decide(outcome, attempts=message.attempts + 1, now=now, on_fault=RETRY)
    single_message_record(message=message, decision=decision, now=now)
    send_journal.discard()
    if decision.status != MessageStatus.QUEUED:
        return None
    return decision.next_attempt_at or now + NOT_SENT_RETRY


def _sent(builder: MessageBuilder, message, single: SingleEmail, send_journal, server, everyone) -> Outcome | None:
    """The send's outcome; None when it did not happen (the journal could not say it would)."""
    try:
        data = builder.build(message.pk, message.to_email, single.values)
    except Exception as exc:
        return Outcome("fault", None, f"{type(exc).__name__}: {exc}"[:1000])
    transport = server.open()
    outcomes: list[Outcome | None] = []
    try:
        transport.send_many(single.from_email, [(message.to_email, data)], outcomes, send_journal)
    except Exception as exc:
        return Outcome("unknown", None, f"{type(exc).__name__}: {exc}"[:1000])
    finally:
        transport.close()
    if outcomes and outcomes[0] is not None and outcomes[0].kind == "fault":
        servers.set_aside(server, everyone)  # its retry goes through another server, if there is one
    return outcomes[0] if outcomes else None
