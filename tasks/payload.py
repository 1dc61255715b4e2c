"""A task's input payload in the database, in 1 MB pieces: any worker can read it back.

The engine deletes it when the task ends done or canceled (a task in error keeps it, so start can resume).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from tasks.models import SourceChunk
from tasks.pieces import pieces_open


def payload_store(*, task, data: bytes) -> None:
    size = SourceChunk.CHUNK_BYTES
    SourceChunk.objects.bulk_create(
        [
            SourceChunk(task=task, seq=seq, data=data[offset : offset + size])
            for seq, offset in enumerate(range(0, len(data), size))
        ],
        batch_size=8,
    )


def payload_exists(*, task_id: int) -> bool:
    return SourceChunk.objects.filter(task_id=task_id).exists()


def _piece(task_id: int):
    def fetch(seq: int) -> bytes | None:
        return SourceChunk.objects.filter(task_id=task_id, seq=seq).values_list("data", flat=True).first()

    return fetch


@contextmanager
def payload_open(*, task, seekable: bool = False) -> Iterator[BinaryIO]:
    """A binary file object over the payload, closed on leaving: a stream, or a temporary file when the reader
    must seek."""
    with pieces_open(_piece(task.pk), seekable=seekable) as source:
        yield source


def payload_delete(*, task) -> None:
    SourceChunk.objects.filter(task=task).delete()
