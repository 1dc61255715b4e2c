"""Two writers at once (IMPORT_WRITERS, imports/threads.py): chunks commit out of order, the checkpoint moves only over
the chunks done without a gap, and a run stopped with a chunk done beyond a gap resumes without doubling or losing a
row. Each run is compared with the same file imported in another account without interruption (the baseline)."""

import threading
import time

import psycopg
import pytest
from django.db import connection

from imports.runner import import_run
from lists.models import MailingList
from subscribers.models import Subscriber
from tasks.models import Task
from tasks.selectors import task_get_by_id
from tasks.services import task_pause, task_start
from tests.tasks.builders import assert_list_counters_exact, run_jobs, submit, task_row
from tests.tasks.chunked import CHUNK, big_file, prepare, snapshot

LIST, SUBSCRIBER, TASK = (model._meta.db_table for model in (MailingList, Subscriber, Task))

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="parallel writers are PostgreSQL's"),
]

# The unsubscribed subscriber big_file meets in its fourth chunk (row 32 counted from 0; prepare()): a transaction
# that holds its row holds that chunk's statement (an upsert locks the row it conflicts with), and nothing else.
HELD = "gone@example.com"


class _Holder:
    """Another transaction that holds ``HELD``'s row until released."""

    def __init__(self, account_id: int):
        self.connection = psycopg.connect(**connection.get_connection_params())
        self.connection.execute(
            f"SELECT 1 FROM {SUBSCRIBER} WHERE account_id = %s AND email = %s FOR UPDATE", [account_id, HELD]
        )
        self.released = False

    def release(self) -> None:
        if not self.released:
            self.released = True
            self.connection.rollback()
            self.connection.close()


def _someone_waits_for_a_lock() -> bool:
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as watcher:
        row = watcher.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).fetchone()
    return row[0] > 0


def test_a_chunk_done_beyond_a_gap_is_kept_ahead_and_skipped_when_the_run_resumes(api, owner, baseline, settings):
    settings.IMPORT_WRITERS = 2
    list_id = prepare(api, owner.account)
    data, expected = big_file()
    task_id = submit(api, list_id, data, "text/csv")
    holder = _Holder(owner.account.pk)

    def progress(task: Task):
        # A chunk after the held fourth (rows 30..39) committed: every chunk before it has, so the fourth is the gap.
        # Pause, then let the fourth go on: it finds the task paused and rolls back.
        if any(first >= 4 * CHUNK for first, _ in task.ahead):
            task_pause(task=task_get_by_id(task_id=task_id))
            holder.release()

    try:
        import_run(task_id=task_id, progress=progress)
    finally:
        holder.release()
    paused = task_row(task_id)
    assert paused.status == "paused"
    assert (paused.checkpoint, paused.ahead, paused.processed) == (3 * CHUNK, [[4 * CHUNK, CHUNK]], 4 * CHUNK)

    task_start(task=task_get_by_id(task_id=task_id))
    run_jobs()
    done = task_row(task_id)
    assert (done.status, done.checkpoint, done.ahead, done.processed) == ("done", 100, [], 100)
    shot = snapshot(api, owner.account, list_id, task_id)
    assert shot == baseline, {k: (shot[k], baseline[k]) for k in shot if shot[k] != baseline[k]}
    assert shot["result"] == expected
    assert_list_counters_exact(api, owner.account)


def test_two_writers_import_what_one_does(api, owner, baseline, settings):
    settings.IMPORT_WRITERS = 2
    list_id = prepare(api, owner.account)
    data, _ = big_file()
    task_id = submit(api, list_id, data, "text/csv")
    writers = set()
    import_run(task_id=task_id, progress=lambda task: writers.add(threading.current_thread().name))
    assert writers == {"import-writer-0", "import-writer-1"}
    shot = snapshot(api, owner.account, list_id, task_id)
    assert shot == baseline, {k: (shot[k], baseline[k]) for k in shot if shot[k] != baseline[k]}
    assert task_row(task_id).ahead == []
    assert_list_counters_exact(api, owner.account)


def test_a_chunk_aborted_in_a_deadlock_is_written_again(api, owner, baseline, settings):
    """After the first chunk, another transaction holds the task's row; once the second chunk waits for that row
    (to record itself, its statement done and the list's member counter taken), it asks for the list's row: a cycle,
    which PostgreSQL breaks by aborting the chunk's transaction (it waited first), and the writer runs it again."""
    settings.IMPORT_WRITERS = 1
    list_id = prepare(api, owner.account)
    data, expected = big_file()
    task_id = submit(api, list_id, data, "text/csv")
    other = psycopg.connect(**connection.get_connection_params())
    other.execute("SET deadlock_timeout = '20s'")  # PostgreSQL's check runs in the chunk's backend (1 s), not here
    crossed = []

    def cross():
        deadline = time.monotonic() + 10
        while not _someone_waits_for_a_lock():  # the second chunk, for the task's row
            assert time.monotonic() < deadline
            time.sleep(0.01)
        began = time.monotonic()
        other.execute(f"UPDATE {LIST} SET subscribers_count = subscribers_count WHERE id = %s", [list_id])
        other.commit()
        crossed.append(time.monotonic() - began)

    thread = threading.Thread(target=cross)

    def progress(task: Task):
        if not thread.is_alive() and not crossed:
            other.execute(f"SELECT 1 FROM {TASK} WHERE id = %s FOR NO KEY UPDATE", [task_id])
            thread.start()

    try:
        import_run(task_id=task_id, progress=progress)
    finally:
        thread.join(15)
        other.close()
    # This transaction waited for the chunk (until PostgreSQL's check in the chunk's backend, a second after the
    # chunk began to wait) and was not the one aborted: the chunk's was, and it was written again.
    assert crossed and crossed[0] > 0.5, crossed
    shot = snapshot(api, owner.account, list_id, task_id)
    assert shot == baseline, {k: (shot[k], baseline[k]) for k in shot if shot[k] != baseline[k]}
    assert shot["result"] == expected
    assert_list_counters_exact(api, owner.account)
