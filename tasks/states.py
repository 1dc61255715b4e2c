"""Which status a task may move to, and which actions its representation offers now.

queued → in-progress → done | error;  pause: queued | in-progress → paused;
start: paused | error | stale in-progress → queued;  stop = cancel: queued | in-progress | paused → canceled.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from tasks.models import Task, TaskStatus

PAUSABLE = (TaskStatus.QUEUED, TaskStatus.IN_PROGRESS)
STOPPABLE = (TaskStatus.QUEUED, TaskStatus.IN_PROGRESS, TaskStatus.PAUSED)
RESTARTABLE = (TaskStatus.PAUSED, TaskStatus.ERROR)
LIVE = (TaskStatus.QUEUED, TaskStatus.IN_PROGRESS)


def is_stale(task: Task, now=None) -> bool:
    """In progress, but its worker stopped beating: it died."""
    now = now or timezone.now()
    beat = task.heartbeat_at or task.started_at or task.created_at
    return task.status == TaskStatus.IN_PROGRESS and now - beat > timedelta(seconds=settings.TASK_STALE_AFTER_SECONDS)


def allowed_actions(task: Task) -> list[str]:
    actions = []
    if task.status in PAUSABLE:
        actions.append("pause")
    if task.status in RESTARTABLE or is_stale(task):
        actions.append("start")
    if task.status in STOPPABLE:
        actions.extend(["stop", "cancel"])
    return actions
