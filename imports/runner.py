"""The import job: stream the stored payload, validate rows, write them chunk by chunk.

After each chunk, in the chunk's own transaction: the checkpoint, the progress, the
result counts, the row errors and a heartbeat. A chunk commits only while this run
owns the task and the task is in progress (the task is locked after the chunk's work,
so a pause or a stop is not kept waiting: the chunks in flight roll back), and a worker
that died is replaced without doubling anything. On PostgreSQL two chunks are written at
once (imports/threads.py): the checkpoint moves over the rows done without a gap, and a
chunk done beyond one waits in the task's ``ahead``.
"""

import time
from collections import Counter

from django.conf import settings
from django.db import DatabaseError, OperationalError, connection, transaction
from psycopg.errors import DeadlockDetected

from fields.selectors import field_types
from imports.problems import InvalidSource
from imports.reader_process import PAYLOAD_CHUNKS, plan_of, read_in_process
from imports.reading import Chunk, ReadingPlan
from imports.sources import check_whole, checked, iter_rows
from imports.threads import ahead, in_parallel
from subscribers import bulk
from subscribers.bulk_portable import subscribers_import_chunk_portable
from subscribers.services import ConsentRequest, subscriber_import_one
from subscribers.staging import stage_rows
from tasks.models import SourceChunk, Task
from tasks.payload import payload_exists, payload_open
from tasks.selectors import task_get_by_id
from tasks.services import (
    task_checkpoint,
    task_chunk_record,
    task_lock_for_run,
    task_owned,
    task_run,
    task_total_set,
)

# What an import reports in `result`: each source row lands in exactly one of these.
RESULT_KEYS = (
    "new",
    "updated",
    "alreadyInList",
    "duplicatedInFile",
    "invalid",
    "skippedUnsubscribed",
    "skippedBounced",
    "pending",  # a double opt-in import: rows whose membership waits for a confirmation
)

# What the request asked for beside the file, kept among the task's source options (imports.services).
DOUBLE_OPT_IN = "doubleOptIn"
ASKED = (DOUBLE_OPT_IN, "requestIp", "requestUserAgent")

# A chunk is 20,000 rows: while one is read and validated, ``reading`` hears of every this many.
READING_EVERY = 1000


def run_import(task_id: int) -> None:
    """The job of an import task (imports.kinds)."""
    import_run(task_id=task_id)


def import_run(*, task_id: int, progress=None, reading=None) -> None:
    """Run (or resume) an import task. ``progress(task)`` is called after each chunk, ``reading(rows, total)``
    every ``READING_EVERY`` rows read and validated within a chunk (from the reader thread, on PostgreSQL)."""
    task_run(
        task_id=task_id,
        run=lambda task, run_id: _run(task, run_id, progress, reading),
        readable=_readable,
        expected=(InvalidSource,),
    )


def _readable(exc: Exception) -> str:
    if isinstance(exc, InvalidSource):  # found by the job in a file too big to read before the 202
        return f"The file cannot be imported: {exc}"[:2000]
    if isinstance(exc, DatabaseError):
        return f"The database failed while importing ({type(exc).__name__}); start the task to resume."
    return f"The import failed ({type(exc).__name__}: {str(exc)[:300]}); start the task to resume."


class _Writing:
    """What the chunks written so far tell the next: each is written as suits what the last one did
    (subscribers.bulk: the general statement after a chunk that rewrote most of its rows)."""

    rewrites = False


def _run(task: Task, run_id, progress, reading) -> bool:
    """True when every row is done; False when the run stopped (paused, canceled, taken over)."""
    if task.list_id is None:
        raise RuntimeError("the list of this import was deleted")
    if not payload_exists(task_id=task.pk):
        raise RuntimeError("the import's stored payload is missing")
    types = dict(field_types(account=task.account))
    if not checked(task.source_format, task.source_options):
        _check_whole(task, types)
    # On PostgreSQL, outside an open transaction (as in some tests, where a second connection could not see the
    # payload): reading and validating the next chunks overlaps with the database writing, in a process of its own
    # for a big import, and IMPORT_WRITERS chunks are written at once, each on its own connection.
    threaded = connection.vendor == "postgresql" and not connection.in_atomic_block
    writers = settings.IMPORT_WRITERS if threaded else 1
    plan = plan_of(task=task, types=types, pieces=SourceChunk._meta.db_table)
    if threaded and reading is None and task.total - task.checkpoint >= settings.IMPORT_READER_PROCESS_ROWS:
        chunks = read_in_process(PAYLOAD_CHUNKS, plan)
    elif threaded:
        # One chunk queued, one more in hand: enough for two writers, and memory stays flat.
        chunks = ahead(_validated_chunks(task, plan, reading))
    else:
        chunks = _validated_chunks(task, plan, reading)
    writing = _Writing()

    def write(chunk: Chunk) -> bool:
        outcomes = _commit_chunk(task, run_id, chunk, writing)
        if outcomes is None:
            return False
        if progress:
            progress(task_get_by_id(task_id=task.pk))
        if settings.IMPORT_CHUNK_DELAY_MS:
            time.sleep(settings.IMPORT_CHUNK_DELAY_MS / 1000)
        return True

    try:
        finished = in_parallel(chunks, write, writers=writers) if writers > 1 else all(map(write, chunks))
    finally:
        chunks.close()  # stops the reader thread now, not whenever the generator is collected
    if not finished:
        return False
    done = task_checkpoint(task_id=task.pk)
    if done < task.total:
        raise RuntimeError(f"the stored payload ended after {done} of {task.total} rows")
    return True


def _check_whole(task: Task, types: dict) -> None:
    """Read a spreadsheet the request could not read in bounded time: every check, then the total."""
    with payload_open(task=task, seekable=True) as source:
        prepared = check_whole(task.source_format, source, set(types))
    options = {**prepared.options, **{key: task.source_options[key] for key in ASKED if key in task.source_options}}
    task_total_set(task_id=task.pk, total=prepared.total, source_options=options)
    task.total, task.source_options = prepared.total, options


def _validated_chunks(task: Task, plan: ReadingPlan, reading=None):
    """Each chunk still to write (imports/reading.py), read from the stored payload in this process."""
    # CSV is read as a stream; the spreadsheet readers seek. The payload closes when the chunks end (or are
    # closed: paused, stopped, failed).
    with payload_open(task=task, seekable=plan.source_format != "csv") as source:
        rows = iter_rows(plan.source_format, source, plan.source_options)
        if reading:
            rows = _counted(rows, plan.total, reading)
        yield from plan.chunks(rows, stage_rows if connection.vendor == "postgresql" else None)


def _counted(rows, total: int, reading):
    for count, row in enumerate(rows, start=1):
        yield row
        if count % READING_EVERY == 0:
            reading(count, total)


def _write(task: Task, valid: list, staged: bytes | None, rewrites: bool) -> Counter:
    # How the import was asked for (imports.services.import_submit keeps it with the task's options).
    options = task.source_options or {}
    double_opt_in = bool(options.get(DOUBLE_OPT_IN))
    consent = ConsentRequest("import", options.get("requestIp"), options.get("requestUserAgent"))
    if connection.vendor == "postgresql":
        return bulk.subscribers_import_chunk(
            account_id=task.account_id,
            list_id=task.list_id,
            rows=valid,
            staged=staged,
            double_opt_in=double_opt_in,
            consent=consent,
            rewrites=rewrites,
        )
    if not double_opt_in:  # the embedded default (SQLite): set-based too
        return subscribers_import_chunk_portable(
            account_id=task.account_id, list_id=task.list_id, rows=valid, consent=consent
        )
    mailing_list = task.list
    return Counter(
        subscriber_import_one(
            account=task.account,
            mailing_list=mailing_list,
            email=email,
            to_set=values,
            double_opt_in=double_opt_in,
            consent=consent,
        )
        for email, values in valid
    )


# A chunk whose transaction PostgreSQL aborted in a deadlock (another import, or this one's other writer, took the
# same counters in another order) is written again, this many times in all.
DEADLOCK_ATTEMPTS = 3


def _commit_chunk(task: Task, run_id, chunk: Chunk, writing: _Writing) -> Counter | None:
    """The chunk's outcomes, written with its checkpoint; None when this run no longer owns the task."""
    for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
        try:
            return _commit_once(task, run_id, chunk, writing)
        except OperationalError as exc:
            if attempt == DEADLOCK_ATTEMPTS or not isinstance(exc.__cause__, DeadlockDetected):
                raise
    raise AssertionError("unreachable")


class _NotOwned(Exception):
    pass


def _commit_once(task: Task, run_id, chunk: Chunk, writing: _Writing) -> Counter | None:
    try:
        with transaction.atomic():
            if not task_owned(task_id=task.pk, run_id=run_id):
                return None
            outcomes = _write(task, chunk.valid, chunk.staged, writing.rewrites)
            # The task is locked last, after the chunk's statement: another writer's chunk can commit meanwhile.
            # A pause, a stop or another run that took the task over since rolls this chunk back.
            locked = task_lock_for_run(task_id=task.pk, run_id=run_id)
            if locked is None:
                raise _NotOwned
            outcomes["duplicatedInFile"] += chunk.duplicated
            outcomes["invalid"] += len(chunk.errors)
            task_chunk_record(
                task=locked,
                first=chunk.first,
                size=chunk.size,
                errors=chunk.errors,
                result_add=outcomes,
                result_keys=RESULT_KEYS,
            )
    except _NotOwned:
        return None
    writing.rewrites = outcomes[bulk.REWRITTEN] * 2 > len(chunk.valid)
    return outcomes
