"""A big import's reader in a process of its own (PostgreSQL): it reads the stored payload, validates the rows and
stages them for COPY, and hands each chunk to the job over a pipe, so the reading does not share the job's GIL with
the writers (docs/benchmarks.md). A small import reads in a thread (imports/threads.py ``ahead``): starting a
process costs about half a second.

The process is spawned (not forked: the job's process may hold threads and sockets a fork would copy), sets Django up
again, reads the task from the database on a connection of its own (the job's database settings, which a test run
changes, are handed over), and sends each chunk as its staged COPY text with the counts and errors, nothing more.
A chunk waits in the pipe until the job takes it: the reader is at most one chunk ahead.
"""

import contextlib
import multiprocessing
from collections.abc import Iterator

from django.conf import settings
from django.db import connection

# The settings the reader's process takes from the job's (a test changes them in memory, which a new process would
# not see).
HANDED_OVER = ("IMPORT_CHUNK_SIZE", "IMPORT_MAX_ROWS", "IMPORT_MAX_COLUMNS", "IMPORT_MAX_UNCOMPRESSED_BYTES")


class _End:
    pass


class _Failure:
    def __init__(self, exc: BaseException):
        self.exc = exc


def read_in_process(task_id: int, chunks: str) -> Iterator:
    """The items of ``chunks(task_id)``, produced in a spawned process; ``chunks`` is the dotted path of a
    module-level function (imported there once Django is set up: a function itself would be unpickled before)."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    overrides = {name: getattr(settings, name) for name in HANDED_OVER if hasattr(settings, name)}
    reader = context.Process(
        target=_produce,
        args=(chunks, task_id, dict(connection.settings_dict), overrides, sender),
        name="import-reader",
        daemon=True,
    )
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


def _produce(chunks, task_id: int, database: dict, overrides: dict, sender) -> None:
    import django

    django.setup()
    from django.conf import settings as child_settings
    from django.db import connections
    from django.utils.module_loading import import_string

    for name, value in overrides.items():
        setattr(child_settings, name, value)
    connections["default"].settings_dict.update(database)
    try:
        for item in import_string(chunks)(task_id):
            sender.send(item)
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
        connections.close_all()
        sender.close()
