"""A delivery's job: one signed POST to the endpoint, through the task callbacks' guard (tasks.callbacks.post: every
address the host resolves to checked, the connection made to the checked one, the whole attempt over by
WEBHOOK_TIMEOUT_SECONDS), its outcome kept as an attempt of the delivery's log.

At least once: a delivery stays pending until a 2xx answers it. After a failed attempt the next is scheduled
WEBHOOK_BACKOFF_SECONDS × 2^(attempt − 1) later (RQ's scheduler holds the job), the last one at the delivery's
deadline (WEBHOOK_RETRY_HOURS after the event); then it has failed for good. A host that resolves to a forbidden
address is not retried (one that does not resolve is). WEBHOOK_DISABLE_AFTER_FAILURES deliveries in a row failed
for good disable the endpoint: its remaining deliveries fail without an attempt, and the account is told (its
index, the endpoint's ``disabled``).

The jobs run on their own queue, ``webhooks``, served by the callback workers: a slow receiver never holds a
worker that imports or sends. A job gets the delivery's id only; a lease (``leased_until``) keeps two jobs from
attempting it at once, and a job that finds it delivered, not yet due, or leased does nothing.
"""

import http.client
import json
import logging
import time
from datetime import timedelta
from time import monotonic

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from api.epoch_cache import invalidate
from api.formats import iso
from api.sealing import SealBroken
from tasks.callbacks import CallbackRefused, HostUnresolved, post
from tasks.queue import enqueue, enqueue_at
from webhooks import signing
from webhooks.models import Attempt, Delivery, DeliveryStatus, Endpoint, Event

logger = logging.getLogger("webhooks")
QUEUE = "webhooks"
USER_AGENT = "email-marketing-api-webhooks"
LEASE_MARGIN_SECONDS = 30  # past an attempt's own deadline: its worker died, another may attempt it
DUE_SLACK = timedelta(seconds=1)  # RQ schedules in whole seconds, rounded up: a job may start that much early


def event_body(event: Event) -> bytes:
    """What every attempt of the event sends, byte for byte: its type, its time and its data."""
    payload = {"type": event.type, "timestamp": iso(event.created_at), "data": event.data}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def message_id(event: Event) -> str:
    """``webhook-id``: the same for every attempt and every redelivery of the event (receivers dedupe on it)."""
    return f"evt_{event.pk}"


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=settings.WEBHOOK_BACKOFF_SECONDS * 2 ** (attempts - 1))


def _claim(delivery_id: int) -> Delivery | None:
    now = timezone.now()
    lease = now + timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS + LEASE_MARGIN_SECONDS)
    taken = Delivery.objects.filter(
        Q(leased_until__isnull=True) | Q(leased_until__lt=now),
        pk=delivery_id,
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=now + DUE_SLACK,
    ).update(leased_until=lease)
    return Delivery.objects.select_related("endpoint", "event").get(pk=delivery_id) if taken else None


def _secrets(endpoint: Endpoint) -> list[str]:
    current = [signing.unseal(endpoint.secret)]
    if endpoint.previous_secret and endpoint.previous_until and endpoint.previous_until > timezone.now():
        current.append(signing.unseal(endpoint.previous_secret))
    return current


def deliver(delivery_id: int) -> None:
    """The job: one attempt of the delivery, if it is still pending and due, and its outcome recorded."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return
    endpoint = delivery.endpoint
    if not endpoint.enabled:
        _give_up(delivery, "the webhook is disabled")
        return
    try:
        secrets = _secrets(endpoint)
    except SealBroken:
        _give_up(delivery, "its secret cannot be opened: SECRET_KEY changed and the old one is not a fallback")
        return
    body = event_body(delivery.event)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **signing.headers(secrets, message_id(delivery.event), int(time.time()), body),
    }
    started_at, started = timezone.now(), monotonic()
    status, error, refused = None, "", False
    try:
        status = post(endpoint.url, body, headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except HostUnresolved as exc:  # a name server's answer may change: retried
        error = str(exc)
    except CallbackRefused as exc:
        error, refused = f"refused: {exc}", True
    except (OSError, http.client.HTTPException) as exc:
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    attempt = Attempt(
        delivery_id=delivery.pk,
        at=started_at,
        status_code=status,
        duration_ms=round((monotonic() - started) * 1000),
        error=error[:1000],
    )
    _record(delivery, attempt, final=refused)


def _record(delivery: Delivery, attempt: Attempt, *, final: bool) -> None:
    try:
        _write(delivery, attempt, final=final)
    except IntegrityError:  # the webhook (and its log) was deleted during the attempt: nothing to keep
        logger.info("delivery %s was deleted during its attempt", delivery.pk)


def _write(delivery: Delivery, attempt: Attempt, *, final: bool) -> None:
    now = timezone.now()
    with transaction.atomic():
        attempt.save()
        attempts = delivery.attempts + 1
        if not attempt.error:
            Delivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.DELIVERED, attempts=attempts, finished_at=now, leased_until=None, last_error=""
            )
            Endpoint.objects.filter(pk=delivery.endpoint_id, failures__gt=0).update(failures=0)
            return
        if not final and now < delivery.deadline_at:
            due = min(now + backoff(attempts), delivery.deadline_at)
            Delivery.objects.filter(pk=delivery.pk).update(
                attempts=attempts, next_attempt_at=due, leased_until=None, last_error=attempt.error
            )
            enqueue_at(deliver, due, delivery.pk, queue=QUEUE)
            return
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED,
            attempts=attempts,
            finished_at=now,
            leased_until=None,
            last_error=attempt.error,
        )
        _count_failure(delivery.endpoint_id, attempt.error)


def _give_up(delivery: Delivery, why: str) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED, finished_at=timezone.now(), leased_until=None, last_error=why
    )


def _count_failure(endpoint_id: int, error: str) -> None:
    """Inside the transaction that gave a delivery up: one more in a row; at the threshold the endpoint is disabled
    and every process stops writing events for it (the cache's epoch moves)."""
    Endpoint.objects.filter(pk=endpoint_id).update(failures=F("failures") + 1)
    failures = Endpoint.objects.filter(pk=endpoint_id).values_list("failures", flat=True).first()
    if failures is None or failures < settings.WEBHOOK_DISABLE_AFTER_FAILURES:
        return
    detail = f"{failures} deliveries in a row failed after every retry; the last: {error}"[:1000]
    if Endpoint.objects.filter(pk=endpoint_id, enabled=True).update(
        enabled=False, disabled_reason="failures", disabled_detail=detail, disabled_at=timezone.now()
    ):
        logger.warning("webhook %s disabled: %s", endpoint_id, detail)
        invalidate()


def deliveries_lost(*, before, limit: int) -> list[int]:
    """Pending deliveries that should have been attempted before ``before`` and that no job holds: their job runs
    late, or is gone (the oldest ``limit``)."""
    rows = Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lt=before)
    free = rows.filter(Q(leased_until__isnull=True) | Q(leased_until__lt=timezone.now()))
    return list(free.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])


def deliveries_requeue(delivery_ids: list[int]) -> None:
    """A job again for each (a duplicate is harmless: only one claims the delivery)."""
    with transaction.atomic():
        for delivery_id in delivery_ids:
            enqueue(deliver, delivery_id, queue=QUEUE)
