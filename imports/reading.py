"""An import's rows read into chunks: validated, counted, staged. Plain Python, no Django models (the import's
reader process, imports/reader_process.py, runs it without setting Django up; the job's reader thread runs it too).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice

from fields.types import MAX_STRING, InvalidValue, coerce
from imports.seen import SeenKeys
from subscribers.emails import InvalidEmail, normalize_email
from subscribers.staging import StagedRows


@dataclass
class Chunk:
    """Source rows ``first`` .. ``first + size - 1`` (counted from 0), read and validated: the valid rows, the
    refused ones, how many repeated an earlier address, and the valid rows staged for COPY (PostgreSQL). From the
    reader's process, ``valid`` is the staged text read back (``StagedRows``)."""

    first: int
    size: int
    valid: list | StagedRows
    errors: list
    duplicated: int
    staged: bytes | None


@dataclass(frozen=True)
class ReadingPlan:
    """What it takes to read a task's payload into chunks, in plain values (the reader's process gets it pickled;
    the reader thread uses it too)."""

    connect: dict  # psycopg.connect()'s keyword arguments: the job's database
    pieces: str  # the table of stored pieces (tasks.models.SourceChunk)
    task_id: int
    source_format: str
    source_options: dict
    total: int
    checkpoint: int
    ahead: list
    types: dict
    size: int
    settings: dict

    def chunks(self, rows: Iterator, stage: Callable[[list], bytes] | None, staged_only: bool = False):
        """``chunks_after`` of ``rows``, the payload read by this plan."""
        return chunks_after(
            rows,
            types=self.types,
            total=self.total,
            checkpoint=self.checkpoint,
            ahead=self.ahead,
            size=self.size,
            stage=stage,
            staged_only=staged_only,
        )


def chunks_after(
    rows: Iterator,
    *,
    types: dict,
    total: int,
    checkpoint: int,
    ahead: list,
    size: int,
    stage: Callable[[list], bytes] | None = None,
    staged_only: bool = False,
) -> Iterator[Chunk]:
    """Each ``Chunk`` of at most ``size`` of ``rows`` still to write: after the ``checkpoint``, less the chunks done
    beyond it (``ahead``: [first, size] each). ``stage``: the valid rows' COPY text (PostgreSQL). ``staged_only``:
    the chunk carries its valid rows as that text alone (``StagedRows``), and no list of them stays alive while it
    waits to be taken (the reader's process)."""
    seen = SeenKeys(total)
    # The rows already written rebuild "already in this file", by the rule they were written with (valid rows only),
    # in the order they were read: those before the checkpoint, then each chunk done beyond it as the reading
    # reaches it.
    done = [(0, checkpoint), *sorted((first, count) for first, count in ahead)]
    position = 0
    while True:
        while done and done[0][0] <= position:
            first, count = done.pop(0)
            position = _skip(rows, first + count - position, types, seen, position, size)
        limit = size if not done else min(size, done[0][0] - position)
        chunk = list(islice(rows, limit))
        if not chunk:
            return
        count = len(chunk)
        valid, errors, duplicated = validate_rows(chunk, types, seen)
        del chunk
        staged = stage(valid) if stage else None
        if staged_only:
            valid = StagedRows(staged, len(valid))
        yield Chunk(position, count, valid, errors, duplicated, staged)
        del valid, errors, staged  # not held while the next rows are read
        position += count


def _skip(rows, count: int, types: dict, seen: SeenKeys, position: int, size: int) -> int:
    """Read ``count`` rows already written, into ``seen``; the position after them."""
    while count > 0:
        before = list(islice(rows, min(size, count)))
        if not before:
            break
        validate_rows(before, types, seen)
        count -= len(before)
        position += len(before)
    return position


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
