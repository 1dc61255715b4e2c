"""Submitting an export (checked, stored with its task, queued); deleting export files (a canceled task's at
once, a finished one's past EXPORT_RETENTION_SECONDS)."""

import psycopg
from django.db import connection, transaction

from api.audit import record
from api.problems import ApiProblem
from campaigns.selectors import campaign_get
from exports.models import CAMPAIGN_REPORT, EXPORT, ExportPiece
from exports.plans import CAMPAIGN, KIND, LIST, SEGMENT, SEGMENT_TREE, STATUS
from exports.problems import EXPORT_FILTER_NOT_FOUND, EXPORT_FILTERS_INVALID, EXPORT_UNAVAILABLE
from exports.selectors import exports_expired
from lists.selectors import list_get
from segments.selectors import segments_of
from tasks.callbacks import callback_check
from tasks.models import Task
from tasks.services import enqueue_task, task_create


@transaction.atomic
def export_submit(
    *,
    account,
    kind: str,
    fmt: str,
    list_id: int | None = None,
    segment_id: int | None = None,
    status: str | None = None,
    campaign_id: int | None = None,
    callback: str | None = None,
) -> Task:
    """An export task, queued: the filters are checked against the account now, and a segment's condition is
    kept as it is now (the file shows who matched when it was asked for, whatever the segment becomes)."""
    if connection.vendor != "postgresql":
        raise ApiProblem(EXPORT_UNAVAILABLE, "Exports need PostgreSQL; this server runs on SQLite.")
    if callback:
        callback_check(callback)
    options = {KIND: kind}
    mailing_list = None
    if kind == CAMPAIGN_REPORT:
        if campaign_id is None or (list_id, segment_id, status) != (None, None, None):
            raise ApiProblem(EXPORT_FILTERS_INVALID, "A campaign report takes campaignId and no other filter.")
        _found(lambda: campaign_get(account=account, campaign_id=campaign_id), f"campaign {campaign_id}")
        options[CAMPAIGN] = campaign_id
    else:
        if campaign_id is not None:
            raise ApiProblem(EXPORT_FILTERS_INVALID, "A subscribers export takes no campaignId.")
        if list_id is not None:
            mailing_list = _found(lambda: list_get(account=account, list_id=list_id), f"list {list_id}")
            options[LIST] = list_id
        if segment_id is not None:
            segment = segments_of(account_id=account.pk, segment_ids=[segment_id]).get(segment_id)
            if segment is None:
                raise ApiProblem(EXPORT_FILTER_NOT_FOUND, f"The account has no segment {segment_id}.")
            options.update({SEGMENT: segment_id, SEGMENT_TREE: segment.tree})
        if status is not None:
            options[STATUS] = status
    task = task_create(
        account=account,
        type=EXPORT,
        list=mailing_list,
        source_format=fmt,
        source_options=options,
        callback_url=callback or None,
    )
    enqueue_task(task)
    record(
        account_id=account.pk,
        action="export.submit",
        object_type="task",
        object_id=task.pk,
        details={"kind": kind, "format": fmt},
    )
    return task


def _found(get, what: str):
    try:
        return get()
    except ApiProblem as problem:
        if problem.status_code != 404:
            raise
        raise ApiProblem(EXPORT_FILTER_NOT_FOUND, f"The account has no {what}.") from None


PIECES = ExportPiece._meta.db_table
# bytea sent as a binary parameter (%b) on a cursor of its own with server-side binding: Django's cursors bind on
# the client, which writes a 2 MB piece into the statement as 4 MB of hex for the server to parse again.
_INSERT_PIECE = f"INSERT INTO {PIECES} (task_id, part, seq, rows, after, data) VALUES (%s, %s, %s, %s, %s, %b)"


def export_piece_store(*, task_id: int, part: str, seq: int, data: bytes, rows: int = 0, after: int = 0) -> None:
    """One piece of an export's file, in the caller's transaction."""
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(_INSERT_PIECE, [task_id, part, seq, rows, after, data])


def export_files_delete(*, task) -> None:
    """The file of an export task goes (its task canceled: inside that transaction)."""
    ExportPiece.objects.filter(task_id=task.pk).delete()


def exports_expire() -> int:
    """Delete the files past their retention; how many pieces went."""
    deleted, _ = ExportPiece.objects.filter(task__in=exports_expired()).delete()
    return deleted
