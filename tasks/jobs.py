"""RQ job entry points. A job gets ids only, re-reads its rows and is safe to run twice."""
import logging

from django.conf import settings
from django.db import DatabaseError, connection

from tasks.models import Task, TaskStatus, TaskType
from tasks.queue import enqueue, schedule_done, schedule_once

logger = logging.getLogger("tasks")
SWEEPER_KEY = "tasks-requeue-stale"


def enqueue_task(task: Task) -> None:
    if task.type == TaskType.IMPORT:
        enqueue(run_import, task.pk, queue="imports")
    elif task.type == TaskType.CAMPAIGN_SEND:
        # Senders share the campaign batch by batch; SQLite (the embedded default) has one writer, so one sender.
        for _ in range(1 if connection.vendor == "sqlite" else settings.CAMPAIGN_SENDERS):
            enqueue(run_campaign_sender, task.pk, queue="sending")
    schedule_sweep()


def run_import(task_id: int) -> None:
    from tasks.imports.runner import import_run
    import_run(task_id=task_id)


def run_campaign_sender(task_id: int) -> None:
    from campaigns.sending import campaign_send_run
    campaign_send_run(task_id=task_id)


def after_task_ended(task: Task) -> None:
    """Inside the transaction that ended the task: callback, and the payload is no longer needed."""
    from tasks.imports.storage import source_delete

    if task.status in (TaskStatus.DONE, TaskStatus.CANCELED):
        source_delete(task=task)
    if task.callback_url:
        Task.objects.filter(pk=task.pk).update(callback_status="pending")
        enqueue(deliver_callback, task.pk)


def deliver_callback(task_id: int) -> None:
    from tasks.callbacks import callback_deliver
    callback_deliver(task_id=task_id)


def recover_round() -> None:
    """One round of the safety net, from what the database says: the sweeper's, and `run_scheduler`'s in
    the embedded mode. Requeue tasks whose worker died or whose job Redis lost, start scheduled campaigns
    whose own job was lost, give up on single emails in flight too long and requeue those whose job was lost."""
    from emails.services import single_emails_recover
    from campaigns.services import campaigns_start_overdue
    from tasks.services import tasks_requeue_lost, tasks_requeue_stale

    for message, found in (("requeued stale tasks %s", tasks_requeue_stale()),
                           ("requeued queued tasks whose jobs were lost %s", tasks_requeue_lost()),
                           ("started overdue scheduled campaigns %s", campaigns_start_overdue())):
        if found:
            logger.warning(message, found)
    abandoned, requeued = single_emails_recover()
    if abandoned or requeued:
        logger.warning("single emails: %s in flight too long became unknown, %s requeued", abandoned, requeued)


def sweep_stale_tasks() -> None:
    """The recovery round on RQ; runs again while any task or single email is live."""
    from emails.selectors import single_emails_pending

    schedule_done(SWEEPER_KEY)
    try:
        recover_round()
        live = (Task.objects.filter(status__in=(TaskStatus.IN_PROGRESS, TaskStatus.QUEUED)).exists()
                or single_emails_pending())
    except DatabaseError:
        # The database is down (or restarting): exactly when tasks stop beating. The sweeper must outlive it.
        logger.warning("stale-task sweep failed, trying again", exc_info=True)
        connection.close()
        live = True
    if live:
        schedule_sweep()


def schedule_sweep() -> None:
    schedule_once(sweep_stale_tasks, max(1, settings.TASK_STALE_AFTER_SECONDS // 2), key=SWEEPER_KEY)
