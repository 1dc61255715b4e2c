"""The safety net: from what the database says, requeue tasks whose worker died or whose job Redis lost,
and let every registered kind (and other recoverable work) recover its own.

On RQ the sweeper is a job that schedules itself again while anything is live (armed by
``tasks.queue.schedule_sweep``); in the embedded mode ``run_scheduler`` runs the same round in a loop.
"""

import logging

from django.db import DatabaseError, connection

from tasks import registry
from tasks.models import Task
from tasks.queue import SWEEPER_KEY, schedule_done, schedule_sweep
from tasks.services import callbacks_requeue_lost, tasks_requeue_lost, tasks_requeue_stale
from tasks.states import LIVE

logger = logging.getLogger("tasks")


def recover_round() -> None:
    """One round: stale and lost tasks requeued, then each kind's and each other recovery's own round."""
    for message, found in (
        ("requeued stale tasks %s", tasks_requeue_stale()),
        ("requeued queued tasks whose jobs were lost %s", tasks_requeue_lost()),
        ("queued again the lost callbacks of tasks %s", callbacks_requeue_lost()),
    ):
        if found:
            logger.warning(message, found)
    for kind in registry.kinds():
        if kind.recover is not None:
            kind.recover()
    for recovery in registry.recoveries():
        recovery.recover()


def _live() -> bool:
    return (
        Task.objects.filter(status__in=LIVE).exists()
        or Task.objects.filter(callback_status="pending").exists()
        or any(recovery.pending() for recovery in registry.recoveries())
    )


def sweep_stale_tasks() -> None:
    """The recovery round on RQ; runs again while any task or other recoverable work is live."""
    schedule_done(SWEEPER_KEY)
    try:
        recover_round()
        live = _live()
    except DatabaseError:
        # The database is down (or restarting): exactly when tasks stop beating. The sweeper must outlive it.
        logger.warning("stale-task sweep failed, trying again", exc_info=True)
        connection.close()
        live = True
    if live:
        schedule_sweep()
