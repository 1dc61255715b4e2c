"""A payload stored in numbered pieces, read back as one binary file object: plain Python, no Django. ``fetch(seq)``
gives a piece's bytes, or None past the last; tasks/payload.py fetches them with the ORM, an import's reader process
(imports/reader_process.py) on a connection of its own."""

import io
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import BinaryIO

PIECE_BYTES = 1024 * 1024  # a stored piece's size at most (tasks.models.SourceChunk.CHUNK_BYTES)


class _PieceReader(io.RawIOBase):
    """Reads the pieces in order, one fetch per piece, never the whole payload."""

    def __init__(self, fetch: Callable[[int], bytes | None]):
        self.fetch, self.seq, self.buffer = fetch, 0, b""

    def readable(self):
        return True

    def readinto(self, target):
        while not self.buffer:
            piece = self.fetch(self.seq)
            if piece is None:
                return 0
            self.buffer, self.seq = bytes(piece), self.seq + 1
        count = min(len(target), len(self.buffer))
        target[:count], self.buffer = self.buffer[:count], self.buffer[count:]
        return count


@contextmanager
def pieces_open(fetch: Callable[[int], bytes | None], *, seekable: bool = False) -> Iterator[BinaryIO]:
    """A binary file object over the pieces, closed on leaving: a stream, or a temporary file when the reader must
    seek."""
    with io.BufferedReader(_PieceReader(fetch), buffer_size=PIECE_BYTES) as stream:
        if not seekable:
            yield stream
            return
        with tempfile.TemporaryFile() as spooled:
            while piece := stream.read(PIECE_BYTES):
                spooled.write(piece)
            spooled.seek(0)
            yield spooled
