"""A big import's reader in a process of its own (PostgreSQL): it reads the stored payload, validates the rows and
stages them for COPY, and hands each chunk to the job over a pipe, so the reading does not share the job's GIL with
the writers (docs/benchmarks.md). A small import reads in a thread (imports/threads.py ``ahead``): starting a
process costs a fraction of a second.

The process is spawned (not forked: the job's process holds threads and sockets a fork would copy) and does not set
Django up: it runs plain modules (imports/reading.py, imports/sources.py, subscribers/staging.py, tasks/pieces.py)
and reads the payload's pieces on a psycopg connection of its own, so it holds a few tens of MB, not a second copy
of the server. Everything it needs from the database besides the pieces comes in the plan. It sends each chunk as
its staged COPY text with the counts and errors; a chunk waits in the pipe until the job takes it, so the reader is
at most one chunk ahead.
"""

import contextlib
import multiprocessing
from collections.abc import Iterator

from django.conf import settings
from django.db import connection

from imports.reading import ReadingPlan

# The settings the reader's process takes from the job's (the spreadsheet readers' limits; a test changes them in
# memory, which a new process would not see).
HANDED_OVER = ("IMPORT_MAX_ROWS", "IMPORT_MAX_COLUMNS", "IMPORT_MAX_UNCOMPRESSED_BYTES")
PAYLOAD_CHUNKS = "imports.reader_process.payload_chunks"


def plan_of(*, task, types: dict, pieces: str) -> ReadingPlan:
    params = connection.get_connection_params()
    return ReadingPlan(
        connect={key: value for key, value in params.items() if isinstance(value, str | int)},
        pieces=pieces,
        task_id=task.pk,
        source_format=task.source_format,
        source_options=task.source_options,
        total=task.total,
        checkpoint=task.checkpoint,
        ahead=list(task.ahead),
        types=types,
        size=settings.IMPORT_CHUNK_SIZE,
        settings={name: getattr(settings, name) for name in HANDED_OVER},
    )


def payload_chunks(plan: ReadingPlan) -> Iterator:
    """In the reader's process: the plan's chunks, each carrying its valid rows as their staged text only."""
    import psycopg

    from imports.sources import iter_rows
    from subscribers.staging import stage_rows
    from tasks.pieces import pieces_open

    for name, value in plan.settings.items():
        setattr(settings, name, value)
    with psycopg.connect(**plan.connect, autocommit=True) as database:

        def fetch(seq: int) -> bytes | None:
            row = database.execute(
                f"SELECT data FROM {plan.pieces} WHERE task_id = %s AND seq = %s", [plan.task_id, seq]
            ).fetchone()
            return None if row is None else row[0]

        with pieces_open(fetch, seekable=plan.source_format != "csv") as source:
            yield from plan.chunks(iter_rows(plan.source_format, source, plan.source_options), stage_rows, True)


class _End:
    pass


class _Failure:
    def __init__(self, exc: BaseException):
        self.exc = exc


def read_in_process(source: str, *args) -> Iterator:
    """The items of ``source(*args)`` (the dotted path of a module-level generator function, which needs no Django
    set up), produced in a spawned process."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    reader = context.Process(target=_produce, args=(source, args, sender), name="import-reader", daemon=True)
    reader.start()
    sender.close()  # the child's end: once it exits, the parent's recv() sees the end of the pipe
    try:
        while True:
            try:
                item = receiver.recv()
            except EOFError:
                reader.join(timeout=5)
                raise RuntimeError(f"the import's reader process ended early (exit code {reader.exitcode})") from None
            if isinstance(item, _End):
                return
            if isinstance(item, _Failure):
                raise item.exc
            yield item
    finally:
        receiver.close()  # a reader still sending gets a broken pipe, and ends
        reader.join(timeout=5)
        if reader.is_alive():
            reader.kill()
            reader.join()


def _produce(source: str, args: tuple, sender) -> None:
    from django.utils.module_loading import import_string

    try:
        for item in import_string(source)(*args):
            sender.send(item)
            del item  # not held while the next one is made
        sender.send(_End())
    except (BrokenPipeError, ConnectionResetError):
        return  # the job stopped taking chunks (paused, stopped, failed)
    except BaseException as exc:
        try:
            sender.send(_Failure(exc))
        except Exception:  # not picklable, or the pipe is gone
            with contextlib.suppress(Exception):
                sender.send(_Failure(RuntimeError(f"{type(exc).__name__}: {exc}"[:500])))
    finally:
        sender.close()
