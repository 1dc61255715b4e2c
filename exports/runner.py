"""The export job: the rows of the export's statement, page by page, as CSV pieces in the database.

Each page is read in its own snapshot (its count and its rows agree) by ``COPY … TO STDOUT`` and committed as
one piece in the chunk's transaction with the task's checkpoint, progress and heartbeat, while this run owns
the task and it is in progress: pause and cancel take effect after the page in flight, and a worker that died
is replaced by one that goes on after the last committed page's key. An XLSX export then writes its workbook
from those pieces (``exports.workbook``) and swaps it in, in the transaction that ends the task.
"""

import time
from collections import Counter

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from exports.models import CSV, RESULT_KEYS, XLSX, ExportPiece
from exports.plans import plan_for
from exports.selectors import export_position
from exports.services import export_piece_store
from exports.workbook import XLSX_MAX_ROWS, workbook_build
from tasks.selectors import task_get_by_id
from tasks.services import (
    task_chunk_record,
    task_lock_for_run,
    task_run,
    task_total_set,
)


class ExportRefused(RuntimeError):
    """The export cannot be written as asked (the message says why): the task ends in error."""


def run_export(task_id: int) -> None:
    """The job of an export task (exports.kinds)."""
    export_run(task_id=task_id)


def export_run(*, task_id: int, progress=None) -> None:
    """Run (or resume) an export task; ``progress(task)`` is called after each committed page."""
    task_run(
        task_id=task_id,
        run=lambda task, run_id: _run(task, run_id, progress),
        readable=_readable,
        expected=(ExportRefused,),
    )


def _readable(exc: Exception) -> str:
    if isinstance(exc, ExportRefused):
        return str(exc)[:2000]
    if isinstance(exc, DatabaseError):
        return f"The database failed while exporting ({type(exc).__name__}); start the task to resume."
    return f"The export failed ({type(exc).__name__}: {str(exc)[:300]}); start the task to resume."


def _run(task, run_id, progress) -> bool:
    """True when the file is whole; False when the run stopped (paused, canceled, taken over)."""
    if connection.vendor != "postgresql":
        raise ExportRefused("Exports need PostgreSQL: this server runs on the embedded SQLite database.")
    position = export_position(task_id=task.pk)
    if position.workbook:  # written, and the run died before it could say so
        return True
    plan = plan_for(task)
    if position.seq is None and not _begin(task, run_id, plan):
        return False
    seq, after = (position.seq or 0) + 1, position.after
    while page := _read_page(plan, after, settings.EXPORT_CHUNK_ROWS):
        rows, upto, data = page
        with transaction.atomic():
            locked = task_lock_for_run(task_id=task.pk, run_id=run_id)
            if locked is None:
                return False
            export_piece_store(task_id=task.pk, part=ExportPiece.ROWS, seq=seq, rows=rows, after=upto, data=data)
            counts = Counter(rows=rows, bytes=len(data) if task.source_format == CSV else 0)
            task_chunk_record(task=locked, size=rows, errors=[], result_add=counts, result_keys=RESULT_KEYS)
        seq, after = seq + 1, upto
        if progress:
            progress(task_get_by_id(task_id=task.pk))
        if settings.EXPORT_CHUNK_DELAY_MS:
            time.sleep(settings.EXPORT_CHUNK_DELAY_MS / 1000)
    if task.source_format == XLSX:
        return workbook_build(task=task, run_id=run_id, header=plan.header, numeric=plan.numeric)
    return True


def _begin(task, run_id, plan) -> bool:
    """The first run: how many rows there are (the progress's total) and the header, as piece 0."""
    with connection.cursor() as cursor:
        cursor.execute(*plan.count())
        total = cursor.fetchone()[0]
    if task.source_format == XLSX and total >= XLSX_MAX_ROWS:
        raise ExportRefused(
            f"An XLSX sheet holds at most {XLSX_MAX_ROWS - 1:,} rows and this export has {total:,}: export it as CSV."
        )
    header = plan.header_csv()
    with transaction.atomic():
        locked = task_lock_for_run(task_id=task.pk, run_id=run_id)
        if locked is None:
            return False
        export_piece_store(task_id=task.pk, part=ExportPiece.ROWS, seq=0, data=header)
        task_total_set(task_id=task.pk, total=total)
        if task.source_format == CSV:
            task_chunk_record(
                task=locked, size=0, errors=[], result_add=Counter(bytes=len(header)), result_keys=RESULT_KEYS
            )
    return True


def _read_page(plan, after: int, size: int) -> tuple[int, int, bytes] | None:
    """(rows, last key, CSV) of the page after ``after``, read in one snapshot; None when there is none."""
    outermost = not connection.in_atomic_block  # (a test's transaction around it keeps its own isolation)
    with transaction.atomic(), connection.cursor() as cursor:
        if outermost:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute(*plan.bounds(after, size))
        rows, upto = cursor.fetchone()
        if not rows:
            return None
        statement, params = plan.copy(after, upto)
        with cursor.cursor.copy(statement, params) as copy:
            data = b"".join(bytes(block) for block in copy)
    return rows, upto, data
