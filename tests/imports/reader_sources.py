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
