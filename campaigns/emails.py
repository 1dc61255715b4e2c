"""Single emails (POST /api/v1/emails/send): one message to one address, outside any campaign, sent by a job
on the "sending" queue with the same tracking as a campaign (pixel, tracked links, List-Unsubscribe).

The Message row has no campaign; its compiled content and numbered links live on ``SingleEmail``. Outcomes
follow the campaign rules (recording._decide): 250 → sent, 5xx → hard-bounce, 4xx → retried with backoff up
to SEND_MAX_ATTEMPTS then soft-bounce; a server fault is retried the same way and then ends ``failed``.
"""
import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from analytics.counters import daily_add, utc_day
from campaigns.content import Compiled, TemplateError, compile_campaign
from campaigns.mime import MessageBuilder
from campaigns.recording import STAT_OF_STATUS
from campaigns.models import Event, IdempotencyKey, Message, MessageStatus, SingleEmail
from campaigns.services import message_count_add
from campaigns.transport import Outcome, transport_open
from subscribers.models import Status, Subscriber, Suppression

IDEMPOTENCY_WINDOW = timedelta(hours=24)
SUPPRESSED_STATUSES = (Status.HARD_BOUNCE, Status.UNSUBSCRIBED_BY_USER, Status.UNSUBSCRIBED_BY_ADMIN)


def payload_hash(data) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def idempotent_get(account, key: str) -> IdempotencyKey | None:
    """The stored response of ``key`` within the window (an older one is forgotten)."""
    IdempotencyKey.objects.filter(account=account, key=key,
                                  created_at__lt=timezone.now() - IDEMPOTENCY_WINDOW).delete()
    return IdempotencyKey.objects.filter(account=account, key=key).first()


def idempotent_store(account, key: str, digest: str, status: int, body, headers: dict) -> bool:
    """Keep the response of ``key``; False when a concurrent request stored it first."""
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(account=account, key=key, payload_hash=digest, status_code=status,
                                          body=body, headers=headers)
    except IntegrityError:
        return False
    return True


@dataclass(frozen=True)
class Recipient:
    subscriber_id: int | None  # the account's subscriber with this address, if any
    suppressed: bool  # erased, or that subscriber unsubscribed or bounced: nothing may be sent


_RECIPIENT_SQL = (f"SELECT s.id, s.status, EXISTS (SELECT 1 FROM {Suppression._meta.db_table} p "
                  "WHERE p.account_id = %s AND p.email_md5 = %s) "
                  f"FROM (SELECT 1) AS one LEFT JOIN {Subscriber._meta.db_table} s "
                  "ON s.account_id = %s AND s.email_md5 = %s")


def recipient_of(account, email) -> Recipient:
    """Who ``email`` is to the account, in one statement (asked by every send)."""
    with connection.cursor() as cursor:
        cursor.execute(_RECIPIENT_SQL, [account.pk, email.md5, account.pk, email.md5])
        subscriber_id, status, erased = cursor.fetchone()
    return Recipient(subscriber_id, bool(erased) or status in SUPPRESSED_STATUSES)


def compile_single(*, subject: str, html: str, text: str, values: dict) -> Compiled:
    """Raises TemplateError for a malformed tag or a tag naming no value (``values`` allow any name)."""
    names = {name.lower(): name for name in values}
    return compile_campaign(subject=subject, html_part=html, text_part=text, preheader="", fields=names)


@transaction.atomic
def email_send(*, account, to, recipient: Recipient, subject: str, html: str, text: str, from_name: str,
               from_email: str, reply_to: str, values: dict) -> Message:
    """Queue one email to ``to`` (``recipient``: ``recipient_of(account, to)``, which the caller has checked)."""
    from tasks.queue import enqueue

    compiled = compile_single(subject=subject, html=html, text=text, values=values)
    message = Message.objects.create(account=account, campaign=None, subscriber_id=recipient.subscriber_id,
                                     to_email=to.address, status=MessageStatus.QUEUED)
    message.single = SingleEmail.objects.create(
        message=message, subject=subject, from_name=from_name, from_email=from_email, reply_to=reply_to, html=html,
        text=text, values=values, compiled=asdict(compiled), links=compiled.links)
    enqueue(deliver_single_email, message.pk, queue="sending")
    from tasks.queue import schedule_sweep
    schedule_sweep()  # the safety net below, should this job be lost
    # Last: the account's counter row stays locked until the commit, and concurrent sends queue on it.
    message_count_add(account.pk, 1)
    return message


def single_emails_recover() -> tuple[int, int]:
    """The safety net for single emails, run by the sweeper: (abandoned, requeued).

    A message left ``sending`` longer than TASK_STALE_AFTER_SECONDS lost its worker mid-send: it may have
    gone out, so it becomes ``unknown`` and is never sent again. A ``queued`` one whose job is overdue by as
    much (lost with Redis) is enqueued again; delivery claims the row first, so a duplicate job does nothing.
    """
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.TASK_STALE_AFTER_SECONDS)
    singles = Message.objects.filter(campaign__isnull=True, single__isnull=False)
    abandoned = singles.filter(status=MessageStatus.SENDING, claimed_at__lt=cutoff).update(
        status=MessageStatus.UNKNOWN, smtp_response="In flight when its worker stopped; maybe delivered, never sent again.")
    overdue = list(singles.filter(status=MessageStatus.QUEUED, created_at__lt=cutoff)
                   .exclude(next_attempt_at__gte=cutoff).values_list("pk", flat=True)[:1000])
    from tasks.queue import enqueue
    with transaction.atomic():
        for message_id in overdue:
            enqueue(deliver_single_email, message_id, queue="sending")
    return abandoned, len(overdue)


def single_emails_pending() -> bool:
    return Message.objects.filter(campaign__isnull=True, single__isnull=False,
                                  status__in=(MessageStatus.QUEUED, MessageStatus.SENDING)).exists()


def _decision(attempts: int, outcome: Outcome, now) -> tuple:
    """(status, code, response, sent_at, next_attempt_at)."""
    code = outcome.code if isinstance(outcome.code, int) and 100 <= outcome.code <= 599 else None
    response = outcome.response.replace("\x00", "")
    kind = outcome.kind
    if kind == "sent":
        return MessageStatus.SENT, code, response, now, None
    if kind == "hard":
        return MessageStatus.HARD_BOUNCE, code, response, None, None
    if kind in ("failed", "unknown"):
        return (MessageStatus.FAILED if kind == "failed" else MessageStatus.UNKNOWN), code, response, None, None
    if attempts < settings.SEND_MAX_ATTEMPTS:  # soft or fault: again later, backing off
        delay = settings.SEND_RETRY_BACKOFF_SECONDS * 2 ** (attempts - 1)
        return MessageStatus.QUEUED, code, response, None, now + timedelta(seconds=delay)
    return (MessageStatus.SOFT_BOUNCE if kind == "soft" else MessageStatus.FAILED), code, response, None, None


def deliver_single_email(message_id: int) -> None:
    """The job: claim the message (queued → sending), send it, record the outcome. Safe to run twice."""
    from tasks.queue import enqueue_at

    now = timezone.now()
    if not Message.objects.filter(pk=message_id, campaign__isnull=True, status=MessageStatus.QUEUED).update(
            status=MessageStatus.SENDING, claimed_at=now):
        return
    message = Message.objects.select_related("single").get(pk=message_id)
    single = message.single
    attempts = message.attempts + 1
    builder = MessageBuilder(compiled=Compiled(**single.compiled), from_name=single.from_name,
                             from_email=single.from_email, reply_to=single.reply_to,
                             base_url=settings.PUBLIC_BASE_URL)
    transport = transport_open()
    try:
        data = builder.build(message.pk, message.to_email, single.values)
    except Exception as exc:  # noqa: BLE001  (nothing was sent: a fault, retried, never lost)
        data, outcome = None, Outcome("fault", None, f"{type(exc).__name__}: {exc}"[:1000])
    if data is not None:
        try:
            outcome = transport.send(single.from_email, message.to_email, data)
        except Exception as exc:  # noqa: BLE001  (it may have gone out: unknown, never sent twice)
            outcome = Outcome("unknown", None, f"{type(exc).__name__}: {exc}"[:1000])
        finally:
            transport.close()
    now = timezone.now()
    status, code, response, sent_at, next_at = _decision(attempts, outcome, now)
    with transaction.atomic():
        Message.objects.filter(pk=message_id, status=MessageStatus.SENDING).update(
            status=status, attempts=attempts, smtp_code=code, smtp_response=response, sent_at=sent_at,
            next_attempt_at=next_at)
        if status == MessageStatus.QUEUED:
            enqueue_at(deliver_single_email, next_at, message_id, queue="sending")
            return
        daily_add(message.account_id, None, utc_day(now), Counter({STAT_OF_STATUS[status]: 1}))
        if status in (MessageStatus.HARD_BOUNCE, MessageStatus.SOFT_BOUNCE):
            Event.objects.create(account_id=message.account_id, message_id=message_id, campaign_id=None,
                                 type=status, detail=f"{code or ''} {response}".strip()[:1000], at=now)
            if message.subscriber_id:
                from subscribers.services import subscriber_record_bounce
                subscriber_record_bounce(subscriber_id=message.subscriber_id,
                                         hard=status == MessageStatus.HARD_BOUNCE,
                                         threshold=settings.SOFT_BOUNCE_THRESHOLD)


__all__ = ["email_send", "deliver_single_email", "single_emails_recover", "single_emails_pending", "TemplateError"]
