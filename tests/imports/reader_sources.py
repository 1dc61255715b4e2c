"""Module-level readers for tests/imports/test_reader_process.py: the reader's process imports them by name."""


def two_then_failure(task_id: int):
    yield ("first", task_id)
    yield ("second", task_id)
    raise ValueError(f"the file of task {task_id} breaks here")


class _Unpicklable(Exception):
    def __init__(self, task_id, lock):
        super().__init__(f"task {task_id}")
        self.lock = lock


def unpicklable_failure(task_id: int):
    import threading

    yield ("first", task_id)
    raise _Unpicklable(task_id, threading.Lock())


def endless(task_id: int):
    count = 0
    while True:
        count += 1
        yield ("row", count)


def what_the_reader_loads(task_id: int):
    """What the reader's process holds once it has imported what imports.reader_process.payload_chunks runs."""
    import resource
    import sys

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # what spawning left (the parent's main module)
    import psycopg  # noqa: F401
    from django.apps import apps

    from imports.reading import chunks_after  # noqa: F401
    from imports.sources import iter_rows  # noqa: F401
    from subscribers.staging import StagedRows, stage_rows  # noqa: F401
    from tasks.pieces import pieces_open  # noqa: F401

    yield {
        "apps ready": apps.ready,
        "models": sorted(name for name in sys.modules if name.endswith(".models") and "." in name),
        "rest framework": "rest_framework" in sys.modules,
        "MB imported": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before,
    }
