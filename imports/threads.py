"""The import's threads on PostgreSQL: a reader that reads and validates the next chunks while the database writes
(``ahead``), and writers that write chunks at once, each on its own connection (``in_parallel``).

Each writer commits its chunk with the chunk's outcome; chunks may commit out of order, so the task's checkpoint
moves only over the chunks done without a gap, and those done beyond it are kept in the task's ``ahead``
(tasks.services.task_chunk_record), which a resumed run skips.
"""

import queue
import sys
import threading
from collections.abc import Callable, Iterator

from django.db import connection

_DONE = object()
READER_SWITCH_SECONDS = 0.0005


class _Failure:
    def __init__(self, exc):
        self.exc = exc


def ahead(generator, depth: int = 1):
    """Iterate ``generator`` in a thread, ``depth`` items ahead of the consumer."""
    items: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce():
        try:
            for item in generator:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, which raises it
            put(_Failure(exc))
        finally:
            generator.close()  # in the thread that ran it: what it holds open (the payload) is closed here
            connection.close()  # this thread's own database connection

    thread = threading.Thread(target=produce, daemon=True, name="import-reader")
    # The reader thread is busy in Python while the writer's Python (a chunk's results) waits for the GIL: at the
    # default switch interval (5 ms) each wait is long; at 0.5 ms a million new rows import 5-10 % faster
    # (docs/benchmarks.md, "Where an import's time goes"). The interval is the process's: restored after.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, READER_SWITCH_SECONDS))
    thread.start()
    try:
        while (item := items.get()) is not _DONE:
            if isinstance(item, _Failure):
                raise item.exc
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)
        sys.setswitchinterval(interval)


class _Stopped(Exception):
    """A writer's commit found that the run no longer owns the task."""


def in_parallel(items: Iterator, write: Callable, *, writers: int) -> bool:
    """``write(item)`` for each of ``items``, in ``writers`` threads at once, each on its own database connection.
    ``write`` returns False when the run should stop (it no longer owns the task): no writer takes another item
    then. Returns False if one did. An exception of ``items`` or of a ``write`` stops the others after the item in
    hand and is raised here; ``items`` is taken by one thread at a time, and not closed here."""
    take = threading.Lock()
    stop = threading.Event()
    failures: list[BaseException] = []

    def work():
        try:
            while not stop.is_set():
                with take:
                    item = next(items, _DONE)
                if item is _DONE:
                    return
                if not write(item):
                    raise _Stopped
        except BaseException as exc:
            failures.append(exc)
            stop.set()
        finally:
            connection.close()  # this thread's own database connection

    threads = [threading.Thread(target=work, daemon=True, name=f"import-writer-{n}") for n in range(writers)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    finally:  # on an exception here too (a job's timeout): no writer takes another chunk, and each ends first
        stop.set()
        for thread in threads:
            thread.join()
    errors = [exc for exc in failures if not isinstance(exc, _Stopped)]
    if errors:
        raise errors[0]
    return not failures
