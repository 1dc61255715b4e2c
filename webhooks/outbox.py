"""The outbox: events written in the transaction of their change (the writer ``api.events`` calls), then
dispatched by a job: each event becomes one delivery per enabled endpoint of its account that listens to its type,
and each delivery a job of its own (webhooks/delivery.py).

One job drains the outbox however many commits asked for it (``tasks.queue.enqueue_once``): each write asks,
after its transaction commits. A job Redis lost (or never got) is made good by the sweeper's round
(webhooks/kinds.py): events left waiting longer than TASK_STALE_AFTER_SECONDS get a new one.
"""

from collections import Counter, defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tasks.queue import enqueue, enqueue_once, schedule_done
from webhooks import delivery, sql
from webhooks.models import Delivery, DeliveryStatus, Endpoint, Event

QUEUE = delivery.QUEUE
DRAIN_KEY = "webhooks-outbox"
BATCH = 500


def events_write(account_id: int, type: str, items: list[dict]) -> None:
    """The hub's writer: one row per event, in the caller's transaction; the drain asked for after it commits."""
    sql.insert_events(account_id, type, items, timezone.now())
    # After the commit: one Redis call (a marker set if absent); a rollback drops it with the rows.
    transaction.on_commit(drain_ask)


def drain_ask() -> None:
    enqueue_once(outbox_drain, key=DRAIN_KEY, queue=QUEUE)


def outbox_drain() -> None:
    """The job: dispatch every waiting event, a batch per transaction, until none waits."""
    schedule_done(DRAIN_KEY, QUEUE)  # events committed from now on ask for another drain
    while events_dispatch(limit=BATCH):
        pass


def events_dispatch(*, limit: int) -> int:
    """Up to ``limit`` waiting events (locked past another drain) become deliveries, each queued; an event nobody
    listens to any more goes. How many events were taken."""
    with transaction.atomic():
        events = list(
            Event.objects.select_for_update(skip_locked=True).filter(dispatched_at__isnull=True).order_by("id")[:limit]
        )
        if not events:
            return 0
        endpoints = defaultdict(list)
        for endpoint in Endpoint.objects.filter(account_id__in={e.account_id for e in events}, enabled=True).only(
            "pk", "account_id", "event_types"
        ):
            endpoints[endpoint.account_id].append(endpoint)
        now, window = timezone.now(), timedelta(hours=settings.WEBHOOK_RETRY_HOURS)
        deliveries, heard = [], set()
        for event in events:
            for endpoint in endpoints[event.account_id]:
                if event.type in endpoint.event_types:
                    heard.add(event.pk)
                    deliveries.append(
                        Delivery(
                            endpoint_id=endpoint.pk,
                            event_id=event.pk,
                            status=DeliveryStatus.PENDING,
                            next_attempt_at=now,
                            deadline_at=event.created_at + window,
                            created_at=now,
                        )
                    )
        Delivery.objects.bulk_create(deliveries)
        for endpoint_id, n in sorted(Counter(row.endpoint_id for row in deliveries).items()):
            Endpoint.objects.filter(pk=endpoint_id).update(deliveries_count=F("deliveries_count") + n)
        Event.objects.filter(pk__in=heard).update(dispatched_at=now)
        Event.objects.filter(pk__in=[event.pk for event in events if event.pk not in heard]).delete()
        for row in deliveries:
            enqueue(delivery.deliver, row.pk, queue=QUEUE)
    return len(events)


def events_waiting_since(*, before) -> bool:
    return Event.objects.filter(dispatched_at__isnull=True, created_at__lt=before).exists()
