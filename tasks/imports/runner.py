"""The import job: stream the stored payload, validate rows, write them chunk by chunk.

After each chunk, in the chunk's own transaction: the checkpoint, the progress, the
result counts, the row errors and a heartbeat. A chunk commits only while this run
owns the task and the task is in progress, so pause and stop take effect after the
chunk in flight, and a worker that died is replaced without doubling anything.
"""
import logging
import time
from collections import Counter
from itertools import islice

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from fields.models import Field
from fields.types import InvalidValue, coerce
from subscribers.emails import InvalidEmail, normalize_email
from tasks.imports.sources import iter_rows
from tasks.imports.storage import source_open
from tasks.models import Task, TaskError, TaskStatus
from tasks.services import task_claim, task_error, task_finish, task_lock_for_run

logger = logging.getLogger("tasks")
RESULT_KEYS = ("new", "updated", "alreadyInList", "duplicatedInFile", "invalid", "skippedUnsubscribed",
               "skippedBounced")


def import_run(*, task_id: int, progress=None) -> None:
    """Run (or resume) an import task. ``progress(task)`` is called after each chunk."""
    claimed = task_claim(task_id=task_id)
    if claimed is None:
        return
    task, run_id = claimed
    try:
        finished = _run(task, run_id, progress)
    except Exception as exc:  # the row is the truth: it ends in error, never stuck in progress
        logger.exception("import task %s failed", task_id)
        reason = _readable(exc)
        if task_finish(task_id=task_id, run_id=run_id, status=TaskStatus.ERROR, reason=reason) is None:
            task_error(task_id=task_id, reason=reason)
        return
    if finished:
        task_finish(task_id=task_id, run_id=run_id, status=TaskStatus.DONE)


def _readable(exc: Exception) -> str:
    if isinstance(exc, DatabaseError):
        return f"The database failed while importing ({type(exc).__name__}); start the task to resume."
    return f"The import failed ({type(exc).__name__}: {str(exc)[:300]}); start the task to resume."


def _run(task: Task, run_id, progress) -> bool:
    """True when every row is done; False when the run stopped (paused, canceled, taken over)."""
    if task.list_id is None:
        raise RuntimeError("the list of this import was deleted")
    types = dict(Field.objects.filter(account_id=task.account_id).values_list("name", "type"))
    seen: set[int] = set()
    rows = iter_rows(task.source_format, source_open(task=task), task.source_options)
    for row in islice(rows, task.checkpoint):  # rebuild "already in this file" up to the checkpoint
        key = _key(row)
        if key is not None:
            seen.add(key)
    while chunk := list(islice(rows, settings.IMPORT_CHUNK_SIZE)):
        if not _commit_chunk(task, run_id, chunk, types, seen):
            return False
        if progress:
            progress(Task.objects.get(pk=task.pk))
        if settings.IMPORT_CHUNK_DELAY_MS:
            time.sleep(settings.IMPORT_CHUNK_DELAY_MS / 1000)
    return True


def _key(row) -> int | None:
    if row.problem is not None:
        return None
    try:
        return int(normalize_email(row.email if isinstance(row.email, str) else str(row.email)).md5[:16], 16)
    except InvalidEmail:
        return None


def _validate(chunk, types: dict, seen: set):
    valid, errors, duplicated = [], [], 0
    for row in chunk:
        shown = "" if row.email is None else str(row.email)[:500]
        if row.problem:
            errors.append(TaskError(row=row.number, email=shown, problem=row.problem))
            continue
        try:
            email = normalize_email(row.email if isinstance(row.email, str) else str(row.email))
        except InvalidEmail as exc:
            errors.append(TaskError(row=row.number, email=shown, problem=f"emailAddress {exc}"[:500]))
            continue
        values, problems = {}, []
        for name, raw in row.fields.items():
            if name not in types:
                problems.append(f"unknown field {name}")
                continue
            try:
                values[name] = coerce(types[name], raw)
            except InvalidValue as exc:
                problems.append(f"{name}: {types[name]} value {exc}")
        if problems:
            errors.append(TaskError(row=row.number, email=shown, problem="; ".join(problems)[:500]))
            continue
        key = int(email.md5[:16], 16)
        if key in seen:
            duplicated += 1
            continue
        seen.add(key)
        valid.append((email, values))
    return valid, errors, duplicated


def _write(task: Task, valid: list) -> Counter:
    if connection.vendor == "postgresql":
        from subscribers.bulk import subscribers_import_chunk
        return subscribers_import_chunk(account_id=task.account_id, list_id=task.list_id, rows=valid)
    from subscribers.services import subscriber_import_one
    mailing_list = task.list
    return Counter(subscriber_import_one(account=task.account, mailing_list=mailing_list, email=email,
                                         to_set=values) for email, values in valid)


def _commit_chunk(task: Task, run_id, chunk: list, types: dict, seen: set) -> bool:
    with transaction.atomic():
        locked = task_lock_for_run(task_id=task.pk, run_id=run_id)
        if locked is None:
            return False
        valid, errors, duplicated = _validate(chunk, types, seen)
        outcomes = _write(locked, valid)
        outcomes["duplicatedInFile"] += duplicated
        outcomes["invalid"] += len(errors)
        for error in errors:
            error.task_id = task.pk
        TaskError.objects.bulk_create(errors, ignore_conflicts=True)
        result = {key: locked.result.get(key, 0) + outcomes.get(key, 0) for key in RESULT_KEYS}
        Task.objects.filter(pk=task.pk).update(
            checkpoint=F("checkpoint") + len(chunk), processed=F("processed") + len(chunk),
            succeeded=F("succeeded") + len(chunk) - len(errors), failed=F("failed") + len(errors),
            errors_count=F("errors_count") + len(errors), result=result, heartbeat_at=timezone.now())
    return True
