"""The sender's database side: claim a batch, record its outcomes, give up on stale in-flight rows.

Each is one short transaction; PostgreSQL gets set-based statements, SQLite (the
embedded default, one sender) the same rules through the ORM.
"""

import json
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from analytics.services import daily_add, utc_day
from campaigns import journal, sql
from campaigns.counters import stats_add
from campaigns.events import outcomes_recorded
from campaigns.models import Event, EventType, Message, MessageStatus
from campaigns.outcomes import REQUEUE, STAT_OF_STATUS, decide, write_outcome
from campaigns.replies import Outcome
from campaigns.variants import variant_metric
from subscribers.models import Status
from subscribers.services import subscriber_record_bounce, subscribers_lock
from tasks.models import TaskStatus
from tasks.services import task_progress_add, task_status_locked

logger = logging.getLogger("campaigns")


@dataclass(frozen=True)
class Claimed:
    message_id: int
    to_email: str
    subscriber_id: int | None
    attempts: int
    fields: dict
    variant: int | None = None  # an A/B campaign's variant position


def lock_task(task_id: int) -> str | None:
    """Inside a transaction: lock the task's row and return its status.

    Every sender transaction (recipients, claim, record) starts here, as task actions (pause, stop)
    do: one lock order (task, then campaign and messages, then counters), so they cannot deadlock.
    """
    return task_status_locked(task_id=task_id)


def task_in_progress(task_id: int) -> bool:
    return lock_task(task_id) == TaskStatus.IN_PROGRESS


def claim(*, campaign_id: int, task_id: int, size: int, now) -> list[Claimed] | None:
    """The next batch, committed as ``sending`` at ``now`` (its journal's name: campaigns/journal.py); None
    when the task is no longer in progress.

    Subscribers who stopped being active since the campaign started are marked skipped here.
    """
    with transaction.atomic():
        if not task_in_progress(task_id):
            return None
        rows = _claim_rows(campaign_id, size, now)
        skipped = [row for row in rows if row[1] == MessageStatus.SKIPPED]
        if skipped:
            stats = Counter({"skipped": len(skipped)})
            stats.update(variant_metric(row[6], "skipped") for row in skipped if row[6] is not None)
            stats_add(campaign_id, stats)
            task_progress_add(task_id=task_id, processed=len(skipped), failed=len(skipped))
    return sorted(
        (
            Claimed(row[0], row[2], row[3], row[4], _fields(row[5]), row[6])
            for row in rows
            if row[1] == MessageStatus.SENDING
        ),
        key=lambda c: c.message_id,
    )


def _fields(value) -> dict:
    if value is None:
        return {}
    return json.loads(value) if isinstance(value, str) else value


def _claim_rows(campaign_id: int, size: int, now) -> list[tuple]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql.CLAIM, {"campaign": campaign_id, "now": now, "size": size})
            return cursor.fetchall()
    rows = []  # SQLite: one writer at a time, so a select then conditional updates claim safely
    due = (
        Message.objects.filter(campaign_id=campaign_id, status=MessageStatus.QUEUED)
        .exclude(next_attempt_at__gt=now)
        .select_related("subscriber")
        .order_by("id")[:size]
    )
    for message in due:
        subscriber = message.subscriber
        active = subscriber is not None and subscriber.status == Status.ACTIVE
        status = MessageStatus.SENDING if active else MessageStatus.SKIPPED
        to_email = subscriber.email if subscriber is not None else message.to_email
        attempts = message.attempts + int(active)
        Message.objects.filter(pk=message.pk, status=MessageStatus.QUEUED).update(
            status=status, attempts=attempts, to_email=to_email, claimed_at=now
        )
        rows.append(
            (
                message.pk,
                status,
                to_email,
                message.subscriber_id,
                attempts,
                subscriber.fields if subscriber is not None else None,
                message.variant,
            )
        )
    return rows


def record(
    *, campaign, task_id: int, batch: list[Claimed], outcomes: list[Outcome | None], beat: bool = True
) -> Counter:
    """One transaction: the messages' statuses, bounces, counters, the task's progress and (``beat``) heartbeat.
    Only rows still ``sending`` are written: theirs, counted by new status."""
    now = timezone.now()
    with transaction.atomic():
        task_status = lock_task(task_id)  # whatever it is now, the batch in flight is recorded
        decided = {
            row.message_id: (row, decide(outcome, attempts=row.attempts, now=now, on_fault=REQUEUE))
            for row, outcome in zip(batch, outcomes, strict=True)
        }
        if task_status == TaskStatus.CANCELED:  # canceled meanwhile: what would go back to the queue never will
            decided = {
                message_id: (
                    row,
                    decision._replace(status=MessageStatus.CANCELED)
                    if decision.status == MessageStatus.QUEUED
                    else decision,
                )
                for message_id, (row, decision) in decided.items()
            }
        written = _update_messages(decided)
        stats, by_variant, events, final, sent = Counter(), Counter(), [], 0, 0
        for message_id in sorted(written):
            row, (status, _, code, response, *_) = decided[message_id]
            if status == MessageStatus.QUEUED:
                stats["retries"] += 1
                continue
            final += 1
            sent += status == MessageStatus.SENT
            stats[STAT_OF_STATUS[status]] += 1
            if row.variant is not None:
                by_variant[variant_metric(row.variant, STAT_OF_STATUS[status])] += 1
            if status in (MessageStatus.HARD_BOUNCE, MessageStatus.SOFT_BOUNCE):
                events.append(
                    Event(
                        account_id=campaign.account_id,
                        message_id=message_id,
                        campaign_id=campaign.pk,
                        type=status,
                        detail=f"{code or ''} {response}".strip()[:1000],
                        at=now,
                    )
                )
        stats_add(campaign.pk, {**stats, **by_variant})
        daily_add(campaign.account_id, campaign.pk, utc_day(now), stats)
        Event.objects.bulk_create(events)
        outcomes_recorded(
            campaign.account_id,
            campaign.pk,
            lambda: ((m, decided[m][0].to_email, decided[m][1]) for m in sorted(written)),
        )
        task_progress_add(task_id=task_id, processed=final, succeeded=sent, failed=final - sent, beat=beat)
        bounced = [decided[event.message_id][0].subscriber_id for event in events]
        # Every bounced subscriber is locked (in id order) before any counter moves: an unsubscribe holding one of
        # them and waiting for a counter cannot be waited on in turn.
        subscribers_lock(subscriber_ids=[s for s in bounced if s])
        for event in sorted(events, key=lambda e: decided[e.message_id][0].subscriber_id or 0):
            subscriber_id = decided[event.message_id][0].subscriber_id
            if subscriber_id is not None:
                subscriber_record_bounce(
                    subscriber_id=subscriber_id,
                    hard=event.type == EventType.HARD_BOUNCE,
                    threshold=settings.SOFT_BOUNCE_THRESHOLD,
                )
    return Counter(decided[message_id][1].status for message_id in written)


def _update_messages(decided: dict) -> set[int]:
    if connection.vendor == "postgresql":
        columns = list(zip(*[(message_id, *decision) for message_id, (_, decision) in decided.items()], strict=True))
        with connection.cursor() as cursor:
            cursor.execute(sql.UPDATE, [list(column) for column in columns])
            return {row[0] for row in cursor.fetchall()}
    return {message_id for message_id, (_, decision) in decided.items() if write_outcome(message_id, decision)}


def recover_stale(*, campaign, task_id: int) -> Counter:
    """Rows left ``sending`` longer than a live sender would hold them: their sender died mid-batch.

    Each claim's journal (campaigns/journal.py) says what became of them: a journaled outcome is recorded as
    if the sender had lived, a message whose data may have arrived becomes ``unknown`` (never sent again),
    one that never started goes back to the queue. A claim without a journal: all ``unknown``, counted in the
    campaign's ``journalLost``. What was made of them, by status. Raises ``redis.RedisError`` when Redis
    cannot answer now: the rows stay as they are, for a later try.
    """
    cutoff = timezone.now() - timedelta(seconds=settings.TASK_STALE_AFTER_SECONDS)
    with transaction.atomic():
        lock_task(task_id)  # one recovery at a time, and none while a sender records
        rows = list(
            Message.objects.filter(campaign_id=campaign.pk, status=MessageStatus.SENDING, claimed_at__lt=cutoff)
            .order_by("id")
            .values_list("id", "to_email", "subscriber_id", "attempts", "claimed_at", "variant")
        )
        if not rows:
            return Counter()
        claims = {claimed_at: journal.campaign_claim(campaign.pk, claimed_at) for *_, claimed_at, _ in rows}
        taken = journal.take(list(claims.values()))
        batch = [
            Claimed(message_id, to_email, subscriber, attempts, {}, variant)
            for message_id, to_email, subscriber, attempts, _, variant in rows
        ]
        outcomes = [journal.fallback(message_id, taken[claims[claimed_at]]) for message_id, *_, claimed_at, _ in rows]
        lost = sum(1 for outcome in outcomes if outcome is journal.JOURNAL_LOST)
        if lost:
            stats_add(campaign.pk, Counter({"journalLost": lost}))
            logger.warning("campaign %s: %s messages of a dead sender had no send journal: unknown", campaign.pk, lost)
        return record(campaign=campaign, task_id=task_id, batch=batch, outcomes=outcomes, beat=False)
