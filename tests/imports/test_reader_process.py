"""A big import's reader in a process of its own (imports/reader_process.py): the same outcome as the thread's, its
failures raised in the job, and no process left behind whether the run ends, pauses or fails."""

import multiprocessing

import pytest
from django.db import connection  # noqa: F401 (the skip's condition reads it)

from imports.reader_process import read_in_process
from imports.runner import import_run
from subscribers.emails import normalize_email
from subscribers.staging import StagedRows, stage_rows
from tasks.selectors import task_get_by_id
from tasks.services import task_pause, task_start
from tests.tasks.builders import assert_list_counters_exact, run_jobs, submit, task_row
from tests.tasks.chunked import CHUNK, big_file, prepare, snapshot

ON_POSTGRESQL = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the reader's process is PostgreSQL's")


def test_staged_rows_read_back_what_was_staged():
    rows = [
        (normalize_email("plain@example.com"), {"firstName": "Ann"}),
        (normalize_email("odd@example.com"), {"note": "tab\there, new\nline, cr\r, back\\slash, \x0b\x0c\u2028 é"}),
        (normalize_email("typed@example.com"), {"age": 42, "vip": True, "score": 1.5}),
        (normalize_email("none@example.com"), {}),
    ]
    back = StagedRows(stage_rows(rows), len(rows))
    assert len(back) == 4 and bool(back)
    assert list(back) == rows
    assert not StagedRows(b"", 0) and list(StagedRows(b"", 0)) == []


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_an_import_read_in_a_process_imports_what_a_thread_does(api, owner, baseline, settings):
    settings.IMPORT_READER_PROCESS_ROWS = 1
    list_id = prepare(api, owner.account)
    data, expected = big_file()
    task_id = submit(api, list_id, data, "text/csv")
    import_run(task_id=task_id)
    shot = snapshot(api, owner.account, list_id, task_id)
    assert shot == baseline, {k: (shot[k], baseline[k]) for k in shot if shot[k] != baseline[k]}
    assert shot["result"] == expected
    assert_list_counters_exact(api, owner.account)
    assert multiprocessing.active_children() == []


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_a_paused_import_leaves_no_reader_process_and_resumes(api, owner, baseline, settings):
    settings.IMPORT_READER_PROCESS_ROWS = 1
    settings.IMPORT_WRITERS = 1  # the pause comes after an exact chunk
    list_id = prepare(api, owner.account)
    data, _ = big_file()
    task_id = submit(api, list_id, data, "text/csv")
    seen = []

    def progress(task):
        seen.append(task.processed)
        if len(seen) == 2:
            task_pause(task=task_get_by_id(task_id=task_id))

    import_run(task_id=task_id, progress=progress)
    assert seen == [CHUNK, 2 * CHUNK]
    assert task_row(task_id).status == "paused"
    assert multiprocessing.active_children() == []
    task_start(task=task_get_by_id(task_id=task_id))
    run_jobs()
    shot = snapshot(api, owner.account, list_id, task_id)
    assert shot == baseline, {k: (shot[k], baseline[k]) for k in shot if shot[k] != baseline[k]}
    assert multiprocessing.active_children() == []


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_the_readers_failure_is_raised_in_the_job():
    items = read_in_process("tests.imports.reader_sources.two_then_failure", 7)
    assert next(items) == ("first", 7)
    assert next(items) == ("second", 7)
    with pytest.raises(ValueError, match="the file of task 7 breaks here"):
        next(items)
    assert multiprocessing.active_children() == []


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_a_failure_that_cannot_cross_the_pipe_is_told_by_its_name():
    items = read_in_process("tests.imports.reader_sources.unpicklable_failure", 8)
    assert next(items) == ("first", 8)
    with pytest.raises(RuntimeError, match="_Unpicklable: task 8"):
        next(items)
    assert multiprocessing.active_children() == []


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_a_reader_the_job_stops_listening_to_ends():
    items = read_in_process("tests.imports.reader_sources.endless", 9)
    assert [next(items) for _ in range(3)] == [("row", 1), ("row", 2), ("row", 3)]
    items.close()
    assert multiprocessing.active_children() == []


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_the_reader_process_does_not_set_django_up():
    """It runs plain modules: no app registry, no models, no second copy of the server in memory."""
    (loaded,) = list(read_in_process("tests.imports.reader_sources.what_the_reader_loads", 10))
    assert loaded["apps ready"] is False
    assert [name for name in loaded["models"] if not name.startswith(("django.", "email_validator"))] == []
    assert loaded["rest framework"] is False
    assert loaded["MB imported"] < 40, loaded  # Django set up with the server's apps: about 75 MB more
