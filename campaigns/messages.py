"""Writes of the messages domain for messages outside any campaign (single emails, sent by the emails app).

Message rows, their events and the counters that follow them (the account's message count, the daily
analytics, a subscriber's bounces) are written here only, so they stay consistent with campaign sends:
the emails app owns its content, not these rows. Reads are in campaigns/selectors.py.
"""

import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from analytics.services import daily_add, utc_day
from campaigns import journal
from campaigns.counters import message_count_add
from campaigns.events import outcomes_recorded
from campaigns.models import Event, Message, MessageStatus
from campaigns.outcomes import BOUNCES, RETRY, STAT_OF_STATUS, Decision, decide, write_outcome
from subscribers.services import subscriber_record_bounce

logger = logging.getLogger("emails")


@contextmanager
def single_message_queued(*, account_id: int, subscriber_id: int | None, to_email: str) -> Iterator[Message]:
    """A queued message of no campaign, counted among the account's messages in the same transaction.

    The caller writes what goes with the message inside the block. The count comes last: the account's
    counter row then stays locked only until the commit, and concurrent sends queue on it that briefly.
    """
    with transaction.atomic():
        message = Message.objects.create(
            account_id=account_id,
            campaign=None,
            subscriber_id=subscriber_id,
            to_email=to_email,
            status=MessageStatus.QUEUED,
        )
        yield message
        message_count_add(account_id, 1)


def single_message_claim(message_id: int, *, now: datetime) -> Message | None:
    """queued → sending at ``now`` (its journal's name: campaigns/journal.py), before any byte goes out: the
    claimed message, or None (a duplicate job, or one whose message was claimed or given up meanwhile: it must
    send nothing)."""
    if not Message.objects.filter(pk=message_id, campaign__isnull=True, status=MessageStatus.QUEUED).update(
        status=MessageStatus.SENDING, claimed_at=now
    ):
        return None
    return Message.objects.get(pk=message_id)


@transaction.atomic
def single_message_record(*, message: Message, decision: Decision, now: datetime) -> bool:
    """The outcome of a claimed message's attempt (``campaigns.outcomes.decide``), if the message is still
    ``sending`` (False: recovery recorded it meanwhile, and nothing is counted twice). Once final, it counts
    in the account's daily analytics; a bounce adds its event and counts against the subscriber. A retry
    (queued again, due at ``decision.next_attempt_at``) is the caller's to schedule."""
    status, code, response = decision.status, decision.code, decision.response
    if not write_outcome(message.pk, decision):
        return False
    if status == MessageStatus.QUEUED:
        return True
    daily_add(message.account_id, None, utc_day(now), Counter({STAT_OF_STATUS[status]: 1}))
    outcomes_recorded(message.account_id, None, lambda: [(message.pk, message.to_email, decision)])
    if status in BOUNCES:
        Event.objects.create(
            account_id=message.account_id,
            message_id=message.pk,
            campaign_id=None,
            type=status,
            detail=f"{code or ''} {response}".strip()[:1000],
            at=now,
        )
        if message.subscriber_id:
            subscriber_record_bounce(
                subscriber_id=message.subscriber_id,
                hard=status == MessageStatus.HARD_BOUNCE,
                threshold=settings.SOFT_BOUNCE_THRESHOLD,
            )
    return True


def single_messages_recover(*, among, cutoff: datetime, limit: int) -> Counter:
    """Messages of no campaign among ``among`` (a query of message ids) left ``sending`` since before
    ``cutoff``: their worker died mid-send. Each one's journal (campaigns/journal.py) says what became of it:
    its outcome is recorded; if its data may have gone out it becomes ``unknown``, never sent again; if it
    never started it is queued again (its job is the caller's). What was made of them, by status. Raises
    ``redis.RedisError`` when Redis cannot answer now."""
    now = timezone.now()
    with transaction.atomic():  # the rows locked first: two recoveries cannot take one journal each
        stale = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(pk__in=among, campaign__isnull=True, status=MessageStatus.SENDING, claimed_at__lt=cutoff)
            .order_by("pk")[:limit]
        )
        if not stale:
            return Counter()
        claims = {message.pk: journal.email_claim(message.pk, message.claimed_at) for message in stale}
        taken = journal.take(list(claims.values()))
        made = Counter()
        for message in stale:
            outcome = journal.fallback(message.pk, taken[claims[message.pk]])
            if outcome is journal.JOURNAL_LOST:
                logger.warning("single email %s: its sender died and its send journal was lost: unknown", message.pk)
            decision = decide(outcome, attempts=message.attempts + 1, now=now, on_fault=RETRY)
            if single_message_record(message=message, decision=decision, now=now):
                made[decision.status] += 1
        return made


def messages_forget_subscriber(*, subscriber_id: int, **kwargs) -> None:
    """The subscriber is being erased (subscribers.signals.subscriber_erasing): its messages are kept for the
    counts, with the subscriber unset and the address and the server's replies blanked. A server's reply or a
    bounce report often quotes the address: those texts go too."""
    messages = Message.objects.filter(subscriber_id=subscriber_id)
    Event.objects.filter(message_id__in=messages.values("pk")).update(detail="")
    messages.update(subscriber=None, to_email="", smtp_response="")
