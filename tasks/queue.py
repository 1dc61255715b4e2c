"""Jobs run after the transaction that asks for them commits: on RQ, or in-process.

With REDIS_URL unset (the embedded default) a job runs in a thread of the web
process (JOBS_IN_PROCESS).

Redis unreachable when a job is handed over: the work is committed already (its row says what is to be
done), so the job is not queued, a warning is logged, and the request succeeds; the sweeper (tasks.sweeper)
queues it again once Redis is back, armed again by every worker's heartbeat (tasks.worker).
"""

import contextlib
import logging
import threading
from datetime import timedelta

import django_rq
import redis
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from rq.job import Job

from api.redis_client import redis_client
from tasks import registry

logger = logging.getLogger("tasks")
JOB_TIMEOUT = 6 * 3600
SWEEPER_KEY = "tasks-requeue-stale"
# By name: the sweeper's round calls the services that queue tasks, which arm the sweeper through this module.
SWEEPER_JOB = "tasks.sweeper.sweep_stale_tasks"


def _in_thread(func, args):
    try:
        func(*args)
    except Exception:
        logger.exception("in-process job %s failed", getattr(func, "__name__", func))
    finally:
        connection.close()


def rq_queue(name: str):
    """The RQ queue ``name`` on this process's pooled Redis connection (api.redis_client)."""
    return django_rq.get_queue(name, connection=redis_client(settings.RQ_QUEUES[name]["URL"]))


def _on_commit_to_redis(send, what: str) -> None:
    """``send`` once the transaction commits; Redis unreachable then is logged, never raised (see above)."""

    def guarded():
        try:
            send()
        except redis.RedisError as exc:
            logger.warning("%s not handed to Redis, left to the sweeper: %s", what, exc)

    transaction.on_commit(guarded)


def enqueue(func, *args, queue: str = "default") -> None:
    def send():
        if settings.JOBS_IN_PROCESS:
            threading.Thread(target=_in_thread, args=(func, args), daemon=True).start()
        else:
            rq_queue(queue).enqueue(func, *args, job_timeout=JOB_TIMEOUT)

    _on_commit_to_redis(send, f"job {registry.job_name(func)}{args}")


def enqueue_at(func, when, *args, queue: str = "default") -> None:
    """Run ``func`` at ``when`` (a datetime), after the current transaction commits.

    On RQ the job waits in Redis (it survives restarts) until a worker's scheduler moves it;
    in-process it is a timer thread of this process.
    """

    def send():
        delay = max(0.0, (when - timezone.now()).total_seconds())
        if settings.JOBS_IN_PROCESS:
            timer = threading.Timer(delay, _in_thread, args=(func, args))
            timer.daemon = True
            timer.start()
        else:
            # RQ keeps whole seconds, truncated: rounded up instead, the job never runs before its time.
            at = when.replace(microsecond=0) + timedelta(seconds=1) if when.microsecond else when
            rq_queue(queue).enqueue_at(at, func, *args, job_timeout=JOB_TIMEOUT)

    _on_commit_to_redis(send, f"job {registry.job_name(func)}{args} at {when.isoformat()}")


def schedule_once(func, delay_seconds: int, *, key: str, queue: str = "default") -> None:
    """Schedule ``func`` in ``delay_seconds`` unless one is already pending under ``key`` (RQ only), once the
    current transaction commits (at once outside one).

    The job must call ``schedule_done(key)`` when it starts.
    """
    if settings.JOBS_IN_PROCESS:
        return

    def send():
        target = rq_queue(queue)
        marker = f"schedule-once:{key}"
        try:
            if target.connection.set(marker, "1", nx=True, ex=delay_seconds * 4 + 60):
                target.enqueue_in(timedelta(seconds=delay_seconds), func, job_timeout=600)
        except BaseException:
            # The marker may be set with no job behind it (a reply lost, the enqueue failed): it must not keep
            # the next caller from scheduling one for minutes. (A second job is harmless: the sweep is a round.)
            with contextlib.suppress(Exception):
                target.connection.delete(marker)
            raise

    _on_commit_to_redis(send, f"schedule {key}")


ONCE_MARKER_SECONDS = 300  # a job queued once (enqueue_once) and lost: others may be queued again after this
_once_in_process: set[str] = set()
_once_lock = threading.Lock()


def enqueue_once(func, *, key: str, queue: str = "default") -> None:
    """Queue ``func`` (no arguments) once the current transaction commits, unless a job queued under ``key`` has
    not started yet: however many commits ask for it meanwhile (each adding work for it, an outbox's rows), one job
    comes. The job must call ``schedule_done(key, queue)`` before it reads the work, so that work committed after
    that asks for another job.

    A marker lost with its job (Redis restarted) expires after ``ONCE_MARKER_SECONDS``; whoever relies on it keeps
    a sweeper round that queues the job again for work left waiting."""

    def send():
        if settings.JOBS_IN_PROCESS:
            with _once_lock:
                if key in _once_in_process:
                    return
                _once_in_process.add(key)

            def run():
                with _once_lock:
                    _once_in_process.discard(key)
                func()

            threading.Thread(target=_in_thread, args=(run, ()), daemon=True).start()
            return
        target = rq_queue(queue)
        marker = f"schedule-once:{key}"
        if target.connection.set(marker, "1", nx=True, ex=ONCE_MARKER_SECONDS):
            try:
                target.enqueue(func, job_timeout=JOB_TIMEOUT)
            except BaseException:
                with contextlib.suppress(Exception):
                    target.connection.delete(marker)
                raise

    _on_commit_to_redis(send, f"job {registry.job_name(func)} once ({key})")


def schedule_done(key: str, queue: str = "default") -> None:
    if not settings.JOBS_IN_PROCESS:
        rq_queue(queue).connection.delete(f"schedule-once:{key}")


def schedule_sweep() -> None:
    """Arm the sweeper (tasks.sweeper) unless it is armed: it runs while any task or other live work remains."""
    schedule_once(SWEEPER_JOB, max(1, settings.TASK_STALE_AFTER_SECONDS // 2), key=SWEEPER_KEY)


def tasks_with_jobs() -> set[int] | None:
    """Ids of the tasks that have a job in Redis (waiting, running or scheduled); None without RQ.

    A queued task missing here lost its job (Redis restarted without its data). The jobs and queues to look
    at are the registered kinds'.
    """
    kinds = registry.kinds()
    return first_args_of_jobs({kind.queue for kind in kinds}, {kind.job_name for kind in kinds})


def first_args_of_jobs(queues: set[str], job_names: set[str]) -> set[int] | None:
    """The first argument (an id) of every job named in ``job_names`` that is waiting, running or scheduled on
    ``queues``; None without RQ."""
    if settings.JOBS_IN_PROCESS:
        return None
    found: set[int] = set()
    for name in sorted(queues):
        queue = rq_queue(name)
        ids = [
            *queue.get_job_ids(),
            *queue.started_job_registry.get_job_ids(),
            *queue.scheduled_job_registry.get_job_ids(),
        ]
        for job in Job.fetch_many(ids, connection=queue.connection):
            if job is not None and job.func_name in job_names and job.args:
                found.add(job.args[0])
    return found
