"""Export reads: where a run goes on from, the finished file, what the sweeper has to delete."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Sum
from django.db.models.functions import Length
from django.utils import timezone

from exports.models import CSV, EXPORT, ExportPiece
from tasks.models import Task, TaskStatus


@dataclass(frozen=True)
class Position:
    seq: int | None  # the last committed rows piece (0: the header only); None: nothing written yet
    after: int  # its last key: the next page starts after it
    workbook: bool  # the XLSX file is written (only the task's end was missing)


def export_position(*, task_id: int) -> Position:
    last = (
        ExportPiece.objects.filter(task_id=task_id, part=ExportPiece.ROWS)
        .order_by("-seq")
        .values_list("seq", "after")
        .first()
    )
    workbook = ExportPiece.objects.filter(task_id=task_id, part=ExportPiece.FILE).exists()
    if last is None:
        return Position(None, 0, workbook)
    return Position(*last, workbook)


def export_rows_pieces(*, task_id: int):
    """The rows pieces' ids in order (each read alone, never all at once)."""
    return list(
        ExportPiece.objects.filter(task_id=task_id, part=ExportPiece.ROWS).order_by("seq").values_list("pk", flat=True)
    )


def export_piece_data(*, piece_id: int) -> bytes:
    data = ExportPiece.objects.filter(pk=piece_id).values_list("data", flat=True).first()
    return b"" if data is None else bytes(data)


@dataclass(frozen=True)
class ExportFile:
    task: Task
    pieces: list[int]  # ids, in order
    size: int

    @property
    def name(self) -> str:
        kind = (self.task.source_options or {}).get("kind", "export")
        return f"{kind}-{self.task.pk}.{self.task.source_format}"


def export_file(*, task_id: int) -> ExportFile | None:
    """A finished export's file; None when the task is not a finished export or its file is gone."""
    task = Task.objects.filter(pk=task_id, type=EXPORT, status=TaskStatus.DONE).first()
    if task is None:
        return None
    part = ExportPiece.ROWS if task.source_format == CSV else ExportPiece.FILE
    pieces = ExportPiece.objects.filter(task_id=task_id, part=part).order_by("seq")
    found = pieces.aggregate(count=Count("pk"), size=Sum(Length("data")))
    if not found["count"]:
        return None
    return ExportFile(task, list(pieces.values_list("pk", flat=True)), found["size"] or 0)


def export_file_deleted_at(task) -> object | None:
    """When the sweeper deletes a finished export's file (None while the task runs)."""
    if task.finished_at is None:
        return None
    return task.finished_at + timedelta(seconds=settings.EXPORT_RETENTION_SECONDS)


def exports_expired():
    """Ended export tasks whose file is past its retention."""
    cutoff = timezone.now() - timedelta(seconds=settings.EXPORT_RETENTION_SECONDS)
    return Task.objects.filter(type=EXPORT, finished_at__lt=cutoff).exclude(
        status__in=(TaskStatus.QUEUED, TaskStatus.IN_PROGRESS, TaskStatus.PAUSED)
    )


def exports_pending() -> bool:
    """Some export file is kept: the sweeper must come back to delete it."""
    return ExportPiece.objects.exists()
