"""A job that raises ends its task in error with a readable reason, never stuck in progress; start resumes."""

import gc
import logging
import sys
import threading

import pytest
from _pytest.logging import LogCaptureHandler
from django.db import DatabaseError

from subscribers import bulk
from subscribers.models import Membership, Subscriber
from tasks.models import SourceChunk
from tests.helpers import assert_hypermedia
from tests.subscribers.builders import create_list
from tests.tasks.builders import (
    XLSX,
    TaskPaths,
    action,
    action_rels,
    assert_list_counters_exact,
    csv_bytes,
    get_task,
    members,
    run_jobs,
    submit,
    task_row,
    xlsx_bytes,
)
from tests.tasks.chunked import BOTH_PATHS, CHUNK, big_file, interrupt_after_two_chunks_with, prepare, snapshot


@BOTH_PATHS
def test_a_failing_chunk_ends_in_error_and_start_resumes_from_the_checkpoint(
    api, owner, baseline, monkeypatch, failures_not_kept, path
):
    list_id = prepare(api, owner.account)
    data, expected = big_file()
    task_id = submit(api, list_id, data, "text/csv")
    real, calls = bulk.subscribers_import_chunk, []

    def failing(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise DatabaseError("connection lost")
        return real(**kwargs)

    monkeypatch.setattr(bulk, "subscribers_import_chunk", failing)
    run_jobs()
    body = get_task(api, task_id)
    assert body["status"] == "error", body
    assert "database" in body["reason"].lower() and "start" in body["reason"].lower()
    assert body["finishedAt"] and body["progress"]["processed"] == 2 * CHUNK
    assert action_rels(body) == ["start"]
    monkeypatch.setattr(bulk, "subscribers_import_chunk", real)
    assert_hypermedia(action(api, task_id, "start"), 200, "message")
    assert get_task(api, task_id)["reason"] is None
    run_jobs()
    shot = snapshot(api, owner.account, list_id, task_id)
    assert shot == baseline, {k: (shot[k], baseline[k]) for k in shot if shot[k] != baseline[k]}
    assert shot["result"] == expected


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_lost_payload_ends_in_error_and_start_resumes_once_it_is_back(api, owner, queues, fmt):
    list_id = create_list(api, "Target")
    rows = [["email"], *[[f"p{i}@example.com"] for i in range(5)]]
    data, content_type = (csv_bytes(rows), "text/csv") if fmt == "csv" else (xlsx_bytes(rows), XLSX)
    task_id = submit(api, list_id, data, content_type)
    saved = list(SourceChunk.objects.filter(task_id=task_id).values_list("seq", "data"))
    SourceChunk.objects.filter(task_id=task_id).delete()
    run_jobs()
    body = get_task(api, task_id)
    assert body["status"] == "error", body  # not "done" with 0 of 5 rows, not stuck in progress
    assert body["reason"] and "start the task" in body["reason"]
    assert members(list_id) == set()
    SourceChunk.objects.bulk_create([SourceChunk(task_id=task_id, seq=seq, data=piece) for seq, piece in saved])
    assert_hypermedia(action(api, task_id, "start"), 200, "message")
    run_jobs()
    assert get_task(api, task_id)["status"] == "done"
    assert members(list_id) == {f"p{i}@example.com" for i in range(5)}


def test_list_deleted_before_the_job_runs_ends_in_error(api, queues):
    list_id = create_list(api, "Target")
    task_id = submit(api, list_id, csv_bytes([["email"], ["a@example.com"]]), "text/csv")
    assert_hypermedia(api.delete(TaskPaths(api.owner).list(list_id)), 200)
    run_jobs()
    body = get_task(api, task_id)
    assert body["status"] == "error" and "list" in body["reason"] and body["finishedAt"]
    assert Subscriber.objects.count() == 0


@BOTH_PATHS
def test_list_deleted_mid_import_ends_in_error_without_orphans(api, owner, queues, settings, failures_not_kept, path):
    settings.IMPORT_CHUNK_SIZE = CHUNK
    list_id = prepare(api, owner.account)
    data, _ = big_file()
    task_id = submit(api, list_id, data, "text/csv")
    interrupt_after_two_chunks_with(
        lambda: assert_hypermedia(api.delete(TaskPaths(api.owner).list(list_id)), 200), task_id
    )
    body = get_task(api, task_id)
    assert body["status"] == "error" and "list" in body["reason"], body
    assert body["progress"]["processed"] == 2 * CHUNK and action_rels(body) == ["start"]
    assert Membership.objects.filter(list_id=list_id).count() == 0  # no membership of a list that is gone
    assert Subscriber.objects.filter(account=owner.account).count() == 18 + 2  # rows done before stay
    assert_list_counters_exact(api, owner.account)
    action(api, task_id, "start")
    run_jobs()
    assert task_row(task_id).status == "error"  # the list is still gone: error again, never stuck


def reader_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "import-reader" and thread.is_alive()]


@pytest.mark.django_db(transaction=True)
def test_a_failed_run_leaves_no_reader_thread_behind(api, owner, queues, settings, caplog):
    """The runner reads ahead in a thread with its own database connection: the run must end it.

    A failed run's traceback is kept by whoever keeps the log record (here pytest; Sentry and the
    like elsewhere); the thread must not live as long as that record.
    """
    settings.IMPORT_CHUNK_SIZE = CHUNK
    list_id = prepare(api, owner.account)
    task_id = submit(api, list_id, big_file()[0], "text/csv")
    interval = sys.getswitchinterval()
    try:
        interrupt_after_two_chunks_with(lambda: api.delete(TaskPaths(api.owner).list(list_id)), task_id)
        assert task_row(task_id).status == "error"
        assert reader_threads() == [], "the failed run's reader thread (and its connection) outlives the run"
        assert sys.getswitchinterval() == interval, "the reader's shorter switch interval outlives the run"
    finally:  # let go of the records, so the thread ends and the test database can be dropped
        caplog.clear()
        for handler in logging.getLogger().handlers:
            if isinstance(handler, LogCaptureHandler):
                handler.reset()
        gc.collect()
        for thread in reader_threads():
            thread.join(timeout=5)
