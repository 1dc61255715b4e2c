"""A task's input payload in the database, in 1 MB pieces: any worker can read it back.

The engine deletes it when the task ends done or canceled (a task in error keeps it, so start can resume).
"""

import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from tasks.models import SourceChunk


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


class _ChunkReader(io.RawIOBase):
    """Reads the stored pieces in order, one query per piece, never the whole payload."""

    def __init__(self, task_id: int):
        self.task_id, self.seq, self.buffer = task_id, 0, b""

    def readable(self):
        return True

    def readinto(self, target):
        while not self.buffer:
            piece = (
                SourceChunk.objects.filter(task_id=self.task_id, seq=self.seq).values_list("data", flat=True).first()
            )
            if piece is None:
                return 0
            self.buffer, self.seq = bytes(piece), self.seq + 1
        count = min(len(target), len(self.buffer))
        target[:count], self.buffer = self.buffer[:count], self.buffer[count:]
        return count


@contextmanager
def payload_open(*, task, seekable: bool = False) -> Iterator[BinaryIO]:
    """A binary file object over the payload, closed on leaving: a stream, or a temporary file when the reader
    must seek."""
    with io.BufferedReader(_ChunkReader(task.pk), buffer_size=SourceChunk.CHUNK_BYTES) as stream:
        if not seekable:
            yield stream
            return
        with tempfile.TemporaryFile() as spooled:
            while piece := stream.read(SourceChunk.CHUNK_BYTES):
                spooled.write(piece)
            spooled.seek(0)
            yield spooled


def payload_delete(*, task) -> None:
    SourceChunk.objects.filter(task=task).delete()
