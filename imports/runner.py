"""The import job: stream the stored payload, validate rows, write them chunk by chunk.

After each chunk, in the chunk's own transaction: the checkpoint, the progress, the
result counts, the row errors and a heartbeat. A chunk commits only while this run
owns the task and the task is in progress, so pause and stop take effect after the
chunk in flight, and a worker that died is replaced without doubling anything.
"""

import queue
import sys
import threading
import time
from collections import Counter
from itertools import islice

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from fields.selectors import field_types
from fields.types import MAX_STRING, InvalidValue, coerce
from imports.problems import InvalidSource
from imports.seen import SeenKeys
from imports.sources import check_whole, checked, iter_rows
from subscribers import bulk
from subscribers.bulk_portable import subscribers_import_chunk_portable
from subscribers.emails import InvalidEmail, normalize_email
from subscribers.services import ConsentRequest, subscriber_import_one
from tasks.models import Task
from tasks.payload import payload_exists, payload_open
from tasks.selectors import task_get_by_id
from tasks.services import (
    task_checkpoint,
    task_chunk_record,
    task_lock_for_run,
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


def _run(task: Task, run_id, progress, reading) -> bool:
    """True when every row is done; False when the run stopped (paused, canceled, taken over)."""
    if task.list_id is None:
        raise RuntimeError("the list of this import was deleted")
    if not payload_exists(task_id=task.pk):
        raise RuntimeError("the import's stored payload is missing")
    types = dict(field_types(account=task.account))
    if not checked(task.source_format, task.source_options):
        _check_whole(task, types)
    chunks = _validated_chunks(task, types, reading)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Reading and validating the next chunk overlaps with the database writing this one. (Inside
        # an open transaction, as in some tests, a second connection could not see the payload.)
        chunks = ahead(chunks)
    rewrites = False  # each chunk is written as suits what the one before it did (subscribers.bulk)
    try:
        for size, validated in chunks:
            outcomes = _commit_chunk(task, run_id, size, validated, rewrites=rewrites)
            if outcomes is None:
                return False
            rewrites = outcomes[bulk.REWRITTEN] * 2 > len(validated[0])
            if progress:
                progress(task_get_by_id(task_id=task.pk))
            if settings.IMPORT_CHUNK_DELAY_MS:
                time.sleep(settings.IMPORT_CHUNK_DELAY_MS / 1000)
    finally:
        chunks.close()  # stops the reader thread now, not whenever the generator is collected
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


def _validated_chunks(task: Task, types: dict, reading=None):
    """(rows in the chunk, validation) for each chunk after the checkpoint."""
    seen = SeenKeys(task.total)
    # CSV is read as a stream; the spreadsheet readers seek. The payload closes when the chunks end (or are
    # closed: paused, stopped, failed).
    with payload_open(task=task, seekable=task.source_format != "csv") as source:
        rows = iter_rows(task.source_format, source, task.source_options)
        if reading:
            rows = _counted(rows, task.total, reading)
        done = 0
        while done < task.checkpoint:  # rebuild "already in this file" from the rows before the checkpoint
            before = list(islice(rows, min(settings.IMPORT_CHUNK_SIZE, task.checkpoint - done)))
            if not before:
                break
            validate_rows(before, types, seen)  # the same rule as when they were imported: valid rows only
            done += len(before)
        postgresql = connection.vendor == "postgresql"
        while chunk := list(islice(rows, settings.IMPORT_CHUNK_SIZE)):
            valid, errors, duplicated = validate_rows(chunk, types, seen)
            staged = bulk.stage_rows(valid) if postgresql else None
            yield len(chunk), (valid, errors, duplicated, staged)


def _counted(rows, total: int, reading):
    for count, row in enumerate(rows, start=1):
        yield row
        if count % READING_EVERY == 0:
            reading(count, total)


_DONE = object()
READER_SWITCH_SECONDS = 0.0005


class _Failure:
    def __init__(self, exc):
        self.exc = exc


def ahead(generator, depth: int = 1):
    """Iterate ``generator`` in a thread, ``depth`` items ahead of the consumer."""
    items: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce():
        try:
            for item in generator:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, which raises it
            put(_Failure(exc))
        finally:
            generator.close()  # in the thread that ran it: what it holds open (the payload) is closed here
            connection.close()  # this thread's own database connection

    thread = threading.Thread(target=produce, daemon=True, name="import-reader")
    # The reader thread is busy in Python while the writer's Python (a chunk's results) waits for the GIL: at the
    # default switch interval (5 ms) each wait is long; at 0.5 ms a million new rows import 5-10 % faster
    # (docs/benchmarks.md, "Where an import's time goes"). The interval is the process's: restored after.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, READER_SWITCH_SECONDS))
    thread.start()
    try:
        while (item := items.get()) is not _DONE:
            if isinstance(item, _Failure):
                raise item.exc
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)
        sys.setswitchinterval(interval)


def validate_rows(chunk, types: dict, seen: SeenKeys):
    """(valid rows, refused rows as (row, shown address, problem), repeats of ``seen`` addresses): the import's
    rule for each row, which the back office's preview shows too."""
    valid, errors, duplicated = [], [], 0
    for row in chunk:
        if row.problem:
            errors.append((row.number, _shown(row), row.problem))
            continue
        try:
            email = normalize_email(row.email if isinstance(row.email, str) else str(row.email))
        except InvalidEmail as exc:
            errors.append((row.number, _shown(row), f"emailAddress {exc}"[:500]))
            continue
        values, problems = {}, []
        for name, raw in row.fields.items():
            field_type = types.get(name)
            # A CSV cell for a string field (most cells of most files) is taken as it is: the reader has stripped
            # it, and coerce() would give it back unchanged.
            if field_type == "string" and type(raw) is str and len(raw) <= MAX_STRING and raw == raw.strip():
                values[name] = raw
                continue
            if field_type is None:
                problems.append(f"unknown field {name}")
                continue
            try:
                values[name] = coerce(field_type, raw)
            except InvalidValue as exc:
                problems.append(f"{name}: {field_type} value {exc}")
        if problems:
            errors.append((row.number, _shown(row), "; ".join(problems)[:500]))
            continue
        if not seen.add(int(email.md5[:16], 16)):
            duplicated += 1
            continue
        valid.append((email, values))
    return valid, errors, duplicated


def _shown(row) -> str:
    """A refused row's address as its report shows it."""
    return "" if row.email is None else str(row.email)[:500]


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


def _commit_chunk(task: Task, run_id, size: int, validated, *, rewrites: bool = False) -> Counter | None:
    """The chunk's outcomes, written with its checkpoint; None when this run no longer owns the task."""
    valid, errors, duplicated, staged = validated
    with transaction.atomic():
        locked = task_lock_for_run(task_id=task.pk, run_id=run_id)
        if locked is None:
            return None
        outcomes = _write(locked, valid, staged, rewrites)
        outcomes["duplicatedInFile"] += duplicated
        outcomes["invalid"] += len(errors)
        task_chunk_record(task=locked, size=size, errors=errors, result_add=outcomes, result_keys=RESULT_KEYS)
    return outcomes
