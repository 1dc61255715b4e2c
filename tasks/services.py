"""Task state: the database row is the truth, every transition is a conditional UPDATE.

queued → in-progress → done | error;  pause: queued | in-progress → paused;
start: paused | error | stale in-progress → queued;  stop = cancel: queued | in-progress | paused → canceled.
"""
import uuid
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from api.counters import bump_buckets
from api.problems import ApiProblem
from tasks.models import Task, TaskCount, TaskStatus, TaskType
from tasks.problems import TASK_ACTION_NOT_ALLOWED

COUNT_TABLE = TaskCount._meta.db_table
ALL = "all"
PAUSABLE = (TaskStatus.QUEUED, TaskStatus.IN_PROGRESS)
STOPPABLE = (TaskStatus.QUEUED, TaskStatus.IN_PROGRESS, TaskStatus.PAUSED)
RESTARTABLE = (TaskStatus.PAUSED, TaskStatus.ERROR)


def _count(account_id: int, deltas: Counter) -> None:
    bump_buckets(COUNT_TABLE, ("account_id", "bucket"), account_id, deltas)


def is_stale(task: Task, now=None) -> bool:
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


def task_create(*, account, type: str, **fields) -> Task:
    task = Task.objects.create(account=account, type=type, status=TaskStatus.QUEUED, **fields)
    _count(account.pk, Counter({ALL: 1, TaskStatus.QUEUED: 1}))
    return task


def _move(task: Task, to: str, *, allowed, **changes) -> bool:
    """Move a task (locked by the caller) from one of ``allowed`` statuses to ``to``."""
    if task.status not in allowed or task.status == to:
        return False
    previous = task.status
    Task.objects.filter(pk=task.pk).update(status=to, **changes)
    _count(task.account_id, Counter({previous: -1, to: 1}))
    for name, value in {"status": to, **changes}.items():
        setattr(task, name, value)
    if task.type == TaskType.CAMPAIGN_SEND:  # the campaign's status follows its task, in this transaction
        from campaigns.services import campaign_follow_task
        campaign_follow_task(task)
    return True


def _refuse(task: Task, action: str) -> ApiProblem:
    return ApiProblem(TASK_ACTION_NOT_ALLOWED, f"Cannot {action} a task that is {task.status}.")


@transaction.atomic
def task_pause(*, task: Task) -> Task:
    task = Task.objects.select_for_update().get(pk=task.pk)
    if not _move(task, TaskStatus.PAUSED, allowed=PAUSABLE):
        raise _refuse(task, "pause")
    return task


@transaction.atomic
def task_stop(*, task: Task, reason: str = "Stopped on request.") -> Task:
    task = Task.objects.select_for_update().get(pk=task.pk)
    if not _move(task, TaskStatus.CANCELED, allowed=STOPPABLE, finished_at=timezone.now(), reason=reason,
                 run_id=None):
        raise _refuse(task, "stop")
    from tasks.jobs import after_task_ended
    after_task_ended(task)
    return task


@transaction.atomic
def task_start(*, task: Task) -> Task:
    """Queue the task again; its job resumes from the checkpoint."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    allowed = (*RESTARTABLE, TaskStatus.IN_PROGRESS) if is_stale(task) else RESTARTABLE
    if not _move(task, TaskStatus.QUEUED, allowed=allowed, run_id=None, reason=None, finished_at=None):
        raise _refuse(task, "start")
    from tasks.jobs import enqueue_task
    enqueue_task(task)
    return task


# ---------------------------------------------------------------- used by the worker

def task_claim(*, task_id: int) -> tuple[Task, uuid.UUID] | None:
    """Take a queued task for one run; None when it is not queued (paused, canceled, taken)."""
    run_id = uuid.uuid4()
    now = timezone.now()
    with transaction.atomic():
        task = Task.objects.select_for_update().filter(pk=task_id).first()
        if task is None or not _move(task, TaskStatus.IN_PROGRESS, allowed=(TaskStatus.QUEUED,), run_id=run_id,
                                     started_at=task.started_at or now, heartbeat_at=now):
            return None
    return task, run_id


def task_join(*, task_id: int) -> Task | None:
    """For jobs that share one task (campaign senders): the first moves it from queued to in-progress,
    the others join it; None when it is neither (paused, canceled, done)."""
    now = timezone.now()
    with transaction.atomic():
        task = Task.objects.select_for_update().filter(pk=task_id).first()
        if task is None:
            return None
        if task.status == TaskStatus.QUEUED:
            _move(task, TaskStatus.IN_PROGRESS, allowed=(TaskStatus.QUEUED,), started_at=task.started_at or now,
                  heartbeat_at=now)
        return task if task.status == TaskStatus.IN_PROGRESS else None


def task_complete(*, task: Task, status: str = TaskStatus.DONE, reason: str | None = None) -> bool:
    """Inside a transaction holding the task's lock: end a shared in-progress task."""
    now = timezone.now()
    if not _move(task, status, allowed=(TaskStatus.IN_PROGRESS,), finished_at=now, reason=reason, run_id=None,
                 heartbeat_at=now):
        return False
    from tasks.jobs import after_task_ended
    after_task_ended(task)
    return True


def task_lock_for_run(*, task_id: int, run_id) -> Task | None:
    """Inside a chunk's transaction: the task, locked, if this run still owns it and should go on."""
    return (Task.objects.select_for_update()
            .filter(pk=task_id, run_id=run_id, status=TaskStatus.IN_PROGRESS).first())


def task_finish(*, task_id: int, run_id, status: str, reason: str | None = None) -> Task | None:
    """End this run's task as done or error; None when the run no longer owns it."""
    with transaction.atomic():
        task = task_lock_for_run(task_id=task_id, run_id=run_id)
        if task is None or not _move(task, status, allowed=(TaskStatus.IN_PROGRESS,), finished_at=timezone.now(),
                                     reason=reason, run_id=None, heartbeat_at=timezone.now()):
            return None
        from tasks.jobs import after_task_ended
        after_task_ended(task)
    return task


def task_error(*, task_id: int, reason: str) -> None:
    """A job failed outside any run (for example while claiming): never leave it in-progress."""
    with transaction.atomic():
        task = Task.objects.select_for_update().filter(pk=task_id).first()
        if task is not None and _move(task, TaskStatus.ERROR, allowed=(TaskStatus.QUEUED, TaskStatus.IN_PROGRESS),
                                      finished_at=timezone.now(), reason=reason[:2000], run_id=None):
            from tasks.jobs import after_task_ended
            after_task_ended(task)


def tasks_requeue_stale() -> list[int]:
    """Queue again every in-progress task whose worker stopped beating; returns their ids."""
    cutoff = timezone.now() - timedelta(seconds=settings.TASK_STALE_AFTER_SECONDS)
    requeued = []
    for task_id in Task.objects.filter(status=TaskStatus.IN_PROGRESS, heartbeat_at__lt=cutoff).values_list("pk", flat=True):
        with transaction.atomic():
            task = Task.objects.select_for_update().get(pk=task_id)
            if is_stale(task) and _move(task, TaskStatus.QUEUED, allowed=(TaskStatus.IN_PROGRESS,), run_id=None):
                from tasks.jobs import enqueue_task
                enqueue_task(task)
                requeued.append(task_id)
    return requeued


def tasks_requeue_lost() -> list[int]:
    """Queue again every task that is queued but has no job any more (Redis lost it); returns their ids.

    Only tasks queued before TASK_STALE_AFTER_SECONDS ago are looked at: a newer one may be between its
    commit and its enqueue. A job queued twice is harmless: only one run claims the task.
    """
    from tasks.queue import tasks_with_jobs

    cutoff = timezone.now() - timedelta(seconds=settings.TASK_STALE_AFTER_SECONDS)
    waiting = list(Task.objects.filter(status=TaskStatus.QUEUED, created_at__lt=cutoff).values_list("pk", flat=True))
    if not waiting:
        return []
    with_jobs = tasks_with_jobs()
    if with_jobs is None:
        return []
    requeued = []
    for task_id in sorted(set(waiting) - with_jobs):
        with transaction.atomic():
            task = Task.objects.select_for_update().get(pk=task_id)
            if task.status == TaskStatus.QUEUED:
                from tasks.jobs import enqueue_task
                enqueue_task(task)
                requeued.append(task_id)
    return requeued


def task_count(*, account, status: str | None) -> int:
    return (TaskCount.objects.filter(account=account, bucket=status or ALL)
            .values_list("count", flat=True).first() or 0)


def task_counts_recount(*, account) -> None:
    """Repair: recompute the account's task counters from the rows."""
    from django.db.models import Count

    counts = dict(Task.objects.filter(account=account).values_list("status").annotate(n=Count("id")))
    for bucket in [*TaskStatus.values, ALL]:
        value = sum(counts.values()) if bucket == ALL else counts.get(bucket, 0)
        TaskCount.objects.update_or_create(account=account, bucket=bucket, defaults={"count": value})
