"""A real chunked import of 100 rows, to interrupt: the file, the accounts it meets, the outcome to compare."""

import logging

import pytest
from django.test import override_settings

from imports.runner import import_run
from subscribers.models import Subscriber
from tests.helpers import assert_hypermedia
from tests.subscribers.builders import create_field, create_list, md5, set_status, subscribed, unsubscribe
from tests.tasks.builders import action, assert_counts_add_up, csv_bytes, errors_of, get_task, members, run_jobs, submit

CHUNK = 10


def big_file(twice=False) -> tuple[bytes, dict]:
    """100 data rows (spreadsheet rows 2..101) with duplicates, bad rows and suppressed addresses.

    ``twice``: an address first appears with a bad value (row 6, before the pause point), then valid (row 51).
    """
    rows = [[f"s{i}@example.com", str(i)] for i in range(1, 101)]
    rows[14] = ["S3@Example.com", "15"]  # duplicate, before the pause point
    rows[59] = ["s8@example.com", "60"]  # duplicate across the pause point
    rows[89] = ["s70@example.com", "90"]  # duplicate after it
    rows[11] = ["nope", "12"]
    rows[76] = ["also-bad@", "77"]
    rows[32] = ["gone@example.com", "33"]
    rows[43] = ["bounced@example.com", "44"]
    expected = {
        "new": 93,
        "updated": 0,
        "alreadyInList": 0,
        "pending": 0,
        "duplicatedInFile": 3,
        "invalid": 2,
        "skippedUnsubscribed": 1,
        "skippedBounced": 1,
    }
    if twice:
        rows[4] = ["twice@example.com", "not a number"]
        rows[49] = ["twice@example.com", "7"]
        expected = {**expected, "new": 92, "invalid": 3}
    return csv_bytes([["email", "age"], *rows]), expected


def prepare(client, account) -> int:
    list_id, other_list = create_list(client, "Target"), create_list(client, "Other")
    create_field(client, "age", "number")
    subscribed(client, other_list, "gone@example.com")
    unsubscribe(client, md5("gone@example.com"))
    subscribed(client, other_list, "bounced@example.com")
    set_status(account, md5("bounced@example.com"), "hard-bounce")
    return list_id


def snapshot(client, account, list_id, task_id) -> dict:
    body = get_task(client, task_id)
    assert_counts_add_up(body)
    return {
        "status": body["status"],
        "progress": body["progress"],
        "result": body["result"],
        "errors": [(e["row"], e["emailAddress"], e["problem"]) for e in errors_of(client, task_id)],
        "members": members(list_id),
        "subscribers": dict(Subscriber.objects.filter(account=account).values_list("email", "fields")),
    }


@pytest.fixture
def baseline(client_for, other, queues, settings):
    """The same file imported without interruption, in another account."""
    settings.IMPORT_CHUNK_SIZE = CHUNK
    client = client_for(other)
    list_id = prepare(client, other.account)
    data, expected = big_file()
    task_id = submit(client, list_id, data, "text/csv")
    run_jobs()
    shot = snapshot(client, other.account, list_id, task_id)
    assert shot["status"] == "done" and shot["result"] == expected
    return shot


def interrupt_after_two_chunks_with(interruption, task_id):
    """Run the import here; after its second chunk, ``interruption()``. With one writer, whose chunks commit in
    order, so the run stops after an exact chunk (tests/imports/test_parallel_writers.py interrupts two)."""
    seen = []

    def progress(task):
        seen.append(task.processed)
        if len(seen) == 2:
            interruption()

    with override_settings(IMPORT_WRITERS=1):
        import_run(task_id=task_id, progress=progress)
    assert seen == [CHUNK, 2 * CHUNK]


def interrupt_after_two_chunks(api, task_id, name):
    interrupt_after_two_chunks_with(lambda: assert_hypermedia(action(api, task_id, name), 200, "message"), task_id)


# In a test transaction the runner reads and writes on one connection; committed (as in production),
# it reads ahead in a second thread. Both paths are run.
BOTH_PATHS = pytest.mark.parametrize(
    "path", ["in-transaction", pytest.param("committed", marks=pytest.mark.django_db(transaction=True))]
)


@pytest.fixture
def failures_not_kept(monkeypatch):
    """A failed run's log record keeps its traceback, and with it the run's reader thread (see
    test_task_failures): do not hand the records of the tasks logger to pytest's capture."""
    monkeypatch.setattr(logging.getLogger("tasks"), "propagate", False)
