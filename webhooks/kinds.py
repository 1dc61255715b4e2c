"""Outgoing webhooks are no task, but the sweeper watches them: each round queues a drain for events left
waiting (its job lost, or never handed to Redis), a job again for each pending delivery overdue with no job in
Redis, and forgets the log older than WEBHOOK_LOG_DAYS; while any event or delivery waits the sweeper keeps
running."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tasks.queue import enqueue, first_args_of_jobs
from tasks.registry import job_name, register_recovery
from webhooks.delivery import QUEUE, deliver, deliveries_lost, deliveries_requeue
from webhooks.outbox import events_waiting_since, outbox_drain
from webhooks.selectors import webhook_work_pending
from webhooks.services import webhook_log_forget

logger = logging.getLogger("webhooks")
LOST_PER_ROUND = 1000


def _recover() -> None:
    cutoff = timezone.now() - timedelta(seconds=settings.TASK_STALE_AFTER_SECONDS)
    if events_waiting_since(before=cutoff):
        logger.warning("webhook events waiting since before %s: draining the outbox again", cutoff.isoformat())
        with transaction.atomic():
            enqueue(outbox_drain, queue=QUEUE)  # a second drain beside a live one is harmless (SKIP LOCKED)
    overdue = deliveries_lost(before=cutoff, limit=LOST_PER_ROUND)
    if overdue:
        with_jobs = first_args_of_jobs({QUEUE}, {job_name(deliver)})
        lost = sorted(set(overdue) - (with_jobs or set()))  # in-process (None): an overdue timer died with it
        if lost:
            logger.warning("webhook deliveries whose jobs were lost queued again: %s", lost)
            deliveries_requeue(lost)
    forgotten = webhook_log_forget(before=timezone.now() - timedelta(days=settings.WEBHOOK_LOG_DAYS))
    if forgotten:
        logger.info("webhook log: %s events older than %s days forgotten", forgotten, settings.WEBHOOK_LOG_DAYS)


register_recovery("webhooks", _recover, webhook_work_pending)
