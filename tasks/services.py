"""Task state: the database row is the truth, every transition is a conditional UPDATE (tasks.states).

The kind of a task (tasks.registry) is told of each transition, inside its transaction, and says which jobs
run it. Apps that run tasks write the row only through the functions here.
"""

import logging
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from api import events
from api.audit import record
from api.problems import ApiProblem
from tasks import registry
from tasks.callbacks import QUEUE as CALLBACK_QUEUE, deliver_callback
from tasks.models import Task, TaskCount, TaskError, TaskStatus
from tasks.payload import payload_delete
from tasks.problems import TASK_ACTION_NOT_ALLOWED
from tasks.queue import enqueue, first_args_of_jobs, schedule_sweep, tasks_with_jobs
from tasks.representations import task_detail
from tasks.states import PAUSABLE, RESTARTABLE, STOPPABLE, is_stale

logger = logging.getLogger("tasks")

ALL = "all"


def enqueue_task(task: Task) -> None:
    """After the transaction commits: the kind's jobs for this task, and the sweeper armed as a safety net."""
    kind = registry.kind_of(task.type)
    for _ in range(kind.runners()):
        enqueue(kind.run, task.pk, queue=kind.queue)
    schedule_sweep()


def _after_ended(task: Task) -> None:
    """Inside the transaction that ended the task: the payload is no longer needed; the callback is due; those
    who listen hear ``task.finished`` (the task as its callback shows it)."""
    if task.status in (TaskStatus.DONE, TaskStatus.CANCELED):
        payload_delete(task=task)
    if task.callback_url:
        Task.objects.filter(pk=task.pk).update(callback_status="pending")
        enqueue(deliver_callback, task.pk, queue=CALLBACK_QUEUE)
    events.emit(task.account_id, events.TASK_FINISHED, lambda: task_detail(task.account.name, task))


def task_create(*, account, type: str, **fields) -> Task:
    registry.kind_of(type)  # an unregistered kind could never run
    task = Task.objects.create(account=account, type=type, status=TaskStatus.QUEUED, **fields)
    TaskCount.add(account.pk, Counter({ALL: 1, TaskStatus.QUEUED: 1}))
    return task


def _move(task: Task, to: str, *, allowed, **changes) -> bool:
    """Move a task (locked by the caller) from one of ``allowed`` statuses to ``to``."""
    if task.status not in allowed or task.status == to:
        return False
    previous = task.status
    Task.objects.filter(pk=task.pk).update(status=to, **changes)
    TaskCount.add(task.account_id, Counter({previous: -1, to: 1}))
    for name, value in {"status": to, **changes}.items():
        setattr(task, name, value)
    kind = registry.find(task.type)
    if kind is not None and kind.on_transition is not None:
        kind.on_transition(task, previous)
    return True


def _refuse(task: Task, action: str) -> ApiProblem:
    return ApiProblem(TASK_ACTION_NOT_ALLOWED, f"Cannot {action} a task that is {task.status}.")


def _record(task: Task, verb: str) -> None:
    record(
        account_id=task.account_id,
        action=f"task.{verb}",
        object_type="task",
        object_id=task.pk,
        details={"type": task.type},
    )


@transaction.atomic
def task_pause(*, task: Task) -> Task:
    task = Task.objects.select_for_update().get(pk=task.pk)
    if not _move(task, TaskStatus.PAUSED, allowed=PAUSABLE):
        raise _refuse(task, "pause")
    _record(task, "pause")
    return task


@transaction.atomic
def task_stop(*, task: Task, reason: str = "Stopped on request.") -> Task:
    task = Task.objects.select_for_update().get(pk=task.pk)
    if not _move(task, TaskStatus.CANCELED, allowed=STOPPABLE, finished_at=timezone.now(), reason=reason, run_id=None):
        raise _refuse(task, "stop")
    _after_ended(task)
    _record(task, "stop")
    return task


@transaction.atomic
def task_start(*, task: Task) -> Task:
    """Queue the task again; its job resumes from the checkpoint."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    allowed = (*RESTARTABLE, TaskStatus.IN_PROGRESS) if is_stale(task) else RESTARTABLE
    if not _move(task, TaskStatus.QUEUED, allowed=allowed, run_id=None, reason=None, finished_at=None):
        raise _refuse(task, "start")
    enqueue_task(task)
    _record(task, "start")
    return task


# ---------------------------------------------------------------- used by the worker


def task_claim(*, task_id: int) -> tuple[Task, uuid.UUID] | None:
    """Take a queued task for one run; None when it is not queued (paused, canceled, taken)."""
    run_id = uuid.uuid4()
    now = timezone.now()
    with transaction.atomic():
        task = Task.objects.select_for_update().filter(pk=task_id).first()
        if task is None or not _move(
            task,
            TaskStatus.IN_PROGRESS,
            allowed=(TaskStatus.QUEUED,),
            run_id=run_id,
            started_at=task.started_at or now,
            heartbeat_at=now,
        ):
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
            _move(
                task,
                TaskStatus.IN_PROGRESS,
                allowed=(TaskStatus.QUEUED,),
                started_at=task.started_at or now,
                heartbeat_at=now,
            )
        return task if task.status == TaskStatus.IN_PROGRESS else None


def task_complete(*, task: Task, status: str = TaskStatus.DONE, reason: str | None = None) -> bool:
    """Inside a transaction holding the task's lock: end a shared in-progress task."""
    now = timezone.now()
    if not _move(
        task, status, allowed=(TaskStatus.IN_PROGRESS,), finished_at=now, reason=reason, run_id=None, heartbeat_at=now
    ):
        return False
    _after_ended(task)
    return True


def task_run(
    *,
    task_id: int,
    run: Callable[[Task, uuid.UUID], bool],
    readable: Callable[[Exception], str],
    expected: tuple[type[Exception], ...] = (),
) -> None:
    """A kind's job: claim the task, then ``run(task, run_id)``, which says whether the work is whole (the task
    ends done) or the run stopped (paused, canceled, taken over). An exception ends the task in error with
    ``readable(exc)`` as its reason, never stuck in progress; ``expected`` ones (a bad file, a refusal) are
    logged without a traceback."""
    claimed = task_claim(task_id=task_id)
    if claimed is None:
        return
    task, run_id = claimed
    try:
        finished = run(task, run_id)
    except Exception as exc:  # the row is the truth
        if isinstance(exc, expected):
            logger.info("%s task %s ended in error: %s", task.type, task_id, exc)
        else:
            logger.exception("%s task %s failed", task.type, task_id)
        reason = readable(exc)
        if task_finish(task_id=task_id, run_id=run_id, status=TaskStatus.ERROR, reason=reason) is None:
            task_error(task_id=task_id, reason=reason)
        return
    if finished:
        task_finish(task_id=task_id, run_id=run_id, status=TaskStatus.DONE)


def task_lock_for_run(*, task_id: int, run_id) -> Task | None:
    """Inside a chunk's transaction: the task, locked, if this run still owns it and should go on."""
    return Task.objects.select_for_update().filter(pk=task_id, run_id=run_id, status=TaskStatus.IN_PROGRESS).first()


def task_finish(*, task_id: int, run_id, status: str, reason: str | None = None) -> Task | None:
    """End this run's task as done or error; None when the run no longer owns it."""
    with transaction.atomic():
        task = task_lock_for_run(task_id=task_id, run_id=run_id)
        if task is None or not _move(
            task,
            status,
            allowed=(TaskStatus.IN_PROGRESS,),
            finished_at=timezone.now(),
            reason=reason,
            run_id=None,
            heartbeat_at=timezone.now(),
        ):
            return None
        _after_ended(task)
    return task


def task_error(*, task_id: int, reason: str) -> None:
    """A job failed outside any run (for example while claiming): never leave it in-progress."""
    with transaction.atomic():
        task = Task.objects.select_for_update().filter(pk=task_id).first()
        if task is not None and _move(
            task,
            TaskStatus.ERROR,
            allowed=(TaskStatus.QUEUED, TaskStatus.IN_PROGRESS),
            finished_at=timezone.now(),
            reason=reason[:2000],
            run_id=None,
        ):
            _after_ended(task)


def tasks_requeue_stale() -> list[int]:
    """Queue again every in-progress task whose worker stopped beating; returns their ids. (Tasks of a kind no
    app registers any more are left as they are: nothing could run them.)"""
    cutoff = timezone.now() - timedelta(seconds=settings.TASK_STALE_AFTER_SECONDS)
    requeued = []
    stale = Task.objects.filter(status=TaskStatus.IN_PROGRESS, heartbeat_at__lt=cutoff, type__in=registry.TYPES)
    for task_id in stale.values_list("pk", flat=True):
        with transaction.atomic():
            task = Task.objects.select_for_update().get(pk=task_id)
            if is_stale(task) and _move(task, TaskStatus.QUEUED, allowed=(TaskStatus.IN_PROGRESS,), run_id=None):
                enqueue_task(task)
                requeued.append(task_id)
    return requeued


def tasks_requeue_lost() -> list[int]:
    """Queue again every task that is queued but has no job any more (Redis lost it); returns their ids.

    Only tasks queued before TASK_STALE_AFTER_SECONDS ago are looked at: a newer one may be between its
    commit and its enqueue. A job queued twice is harmless: only one run claims the task.
    """
    cutoff = timezone.now() - timedelta(seconds=settings.TASK_STALE_AFTER_SECONDS)
    waiting = list(
        Task.objects.filter(status=TaskStatus.QUEUED, created_at__lt=cutoff, type__in=registry.TYPES).values_list(
            "pk", flat=True
        )
    )
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
                enqueue_task(task)
                requeued.append(task_id)
    return requeued


# ---------------------------------------------------------------- progress, written by the kinds' jobs


def task_lock(*, task_id: int) -> Task | None:
    """Inside a transaction: the task, locked. Its jobs lock it first in each of their transactions, as the
    actions do: one lock order (the task, then the kind's own rows, then counters), so they cannot deadlock."""
    return Task.objects.select_for_update().filter(pk=task_id).first()


def task_status_locked(*, task_id: int) -> str | None:
    """Inside a transaction: lock the task's row and return its status (None when it is gone)."""
    return Task.objects.select_for_update().filter(pk=task_id).values_list("status", flat=True).first()


def task_progress_add(
    *, task_id: int, processed: int = 0, succeeded: int = 0, failed: int = 0, beat: bool = True
) -> None:
    """Count finished items (succeeded + failed = processed) and, by default, beat."""
    changes = {
        "processed": F("processed") + processed,
        "succeeded": F("succeeded") + succeeded,
        "failed": F("failed") + failed,
    }
    if beat:
        changes["heartbeat_at"] = timezone.now()
    Task.objects.filter(pk=task_id).update(**changes)


def task_total_set(*, task_id: int, total: int, source_options: dict | None = None) -> None:
    """The task's total, known once the job has read its input (and how to read that input, if it changed)."""
    changes = {"total": total, "heartbeat_at": timezone.now()}
    if source_options is not None:
        changes["source_options"] = source_options
    Task.objects.filter(pk=task_id).update(**changes)


def task_beat_until(*, task_id: int, when) -> None:
    """Push an in-progress task's heartbeat to ``when``: a planned wait must not look like a dead worker."""
    Task.objects.filter(pk=task_id, status=TaskStatus.IN_PROGRESS).update(heartbeat_at=when)


def task_chunk_record(
    *,
    task: Task,
    size: int,
    errors: list[tuple[int, str, str]],
    result_add: Counter,
    result_keys: tuple[str, ...],
    first: int | None = None,
) -> None:
    """Inside the chunk's transaction, the task locked: ``size`` source items are done, ``errors`` ((row, email,
    problem)) could not be processed, and ``result_add`` adds to the result.

    ``first``: the chunk's first source item, where chunks commit out of order (an import's parallel writers). The
    checkpoint moves only over the done items that follow it without a gap: a chunk beyond it is kept in
    ``ahead`` until the checkpoint reaches it. None: the chunk starts at the checkpoint."""
    TaskError.objects.bulk_create(
        [TaskError(task_id=task.pk, row=row, email=email, problem=problem) for row, email, problem in errors],
        ignore_conflicts=True,
    )
    result = {key: task.result.get(key, 0) + result_add.get(key, 0) for key in result_keys}
    checkpoint, ahead = task.checkpoint, sorted(task.ahead)
    if first is None or first == checkpoint:
        checkpoint += size
        while ahead and ahead[0][0] == checkpoint:
            checkpoint += ahead.pop(0)[1]
    else:
        ahead = sorted([*ahead, [first, size]])
    failed = len(errors)
    Task.objects.filter(pk=task.pk).update(
        checkpoint=checkpoint,
        ahead=ahead,
        processed=F("processed") + size,
        succeeded=F("succeeded") + size - failed,
        failed=F("failed") + failed,
        errors_count=F("errors_count") + failed,
        result=result,
        heartbeat_at=timezone.now(),
    )


def task_owned(*, task_id: int, run_id) -> bool:
    """Whether this run still owns the task and should go on: a plain read, no lock (``task_lock_for_run`` is
    the one that counts, before a commit)."""
    return Task.objects.filter(pk=task_id, run_id=run_id, status=TaskStatus.IN_PROGRESS).exists()


def task_checkpoint(*, task_id: int) -> int:
    return Task.objects.filter(pk=task_id).values_list("checkpoint", flat=True).get()


# ---------------------------------------------------------------- counters


def callbacks_requeue_lost() -> list[int]:
    """Queue again the callback of every ended task whose callback is still pending but has no job any more
    (Redis was away when the task ended, or lost it); returns their ids. Only callbacks pending for longer than
    TASK_STALE_AFTER_SECONDS are looked at, so one between its commit and its enqueue is left alone; a job
    waiting out its backoff is running, so it is seen."""
    cutoff = timezone.now() - timedelta(seconds=settings.TASK_STALE_AFTER_SECONDS)
    pending = set(Task.objects.filter(callback_status="pending", finished_at__lt=cutoff).values_list("pk", flat=True))
    if not pending:
        return []
    with_jobs = first_args_of_jobs({CALLBACK_QUEUE}, {registry.job_name(deliver_callback)})
    if with_jobs is None:
        return []
    lost = sorted(pending - with_jobs)
    with transaction.atomic():
        for task_id in lost:
            enqueue(deliver_callback, task_id, queue=CALLBACK_QUEUE)
    return lost


def task_count(*, account, status: str | None) -> int:
    return TaskCount.read(account.pk, status or ALL)


def task_counts_recount(*, account) -> None:
    """Repair: recompute the account's task counters from the rows."""
    TaskCount.recount(Task.objects.filter(account=account), account_id=account.pk, buckets=TaskStatus.values, total=ALL)
