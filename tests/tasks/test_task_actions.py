"""pause / start / stop / cancel: allowed moves, refusals, and their effect on a real chunked import."""

import pytest

from subscribers.models import Membership, Subscriber
from tasks.models import SourceChunk, TaskError
from tests.helpers import assert_hypermedia, assert_problem, links_by_rel
from tests.subscribers.builders import create_list
from tests.tasks.builders import (
    TaskPaths,
    action,
    action_rels,
    assert_counts_add_up,
    assert_list_counters_exact,
    csv_bytes,
    errors_of,
    get_task,
    make_zoo,
    members,
    run_jobs,
    submit,
    task_row,
)
from tests.tasks.chunked import BOTH_PATHS, CHUNK, big_file, interrupt_after_two_chunks, prepare, snapshot

NOT_ALLOWED = "/errors/409.1-task-action-not-allowed"
MOVES = {  # status → action → the status it moves to, or None when refused
    "queued": {"pause": "paused", "start": None, "stop": "canceled", "cancel": "canceled"},
    "in-progress": {"pause": "paused", "start": None, "stop": "canceled", "cancel": "canceled"},
    "paused": {"pause": None, "start": "queued", "stop": "canceled", "cancel": "canceled"},
    "error": {"pause": None, "start": "queued", "stop": None, "cancel": None},
    "canceled": {"pause": None, "start": None, "stop": None, "cancel": None},
    "done": {"pause": None, "start": None, "stop": None, "cancel": None},
}
MESSAGES = {"pause": "Task paused", "start": "Task queued", "stop": "Task canceled", "cancel": "Task canceled"}


@pytest.mark.parametrize("name", ["pause", "start", "stop", "cancel"])
def test_each_action_in_each_status(api, queues, settings, name):
    ids = make_zoo(api, settings)
    paths = TaskPaths(api.owner)
    for status, task_id in ids.items():
        before = task_row(task_id)
        response = action(api, task_id, name)
        to = MOVES[status][name]
        if to is None:
            body = assert_problem(response, 409, NOT_ALLOWED, 1)
            assert status in body["detail"] and {name, "stop" if name == "cancel" else name} & set(
                body["detail"].replace(".", " ").split()
            ), body["detail"]
            assert task_row(task_id).status == status
            continue
        body = assert_hypermedia(response, 200, "message")
        assert body["message"] == MESSAGES[name]
        assert links_by_rel(body, "/rels/task")[0]["href"] == paths.task(task_id)
        assert links_by_rel(body, "/rels/tasks-collection")[0]["href"] == paths.tasks
        after = task_row(task_id)
        assert after.status == to, (status, name)
        if to == "canceled":
            assert after.reason and after.finished_at is not None and after.run_id is None
            assert action_rels(get_task(api, task_id)) == []
            assert_problem(action(api, task_id, "start"), 409, NOT_ALLOWED, 1)  # a canceled task stays canceled
        if to == "queued":
            assert after.reason is None and after.run_id is None
            assert after.checkpoint == before.checkpoint


def test_stale_in_progress_task_can_be_started_again(api, queues, settings):
    ids = make_zoo(api, settings)
    task_id = ids["in-progress"]
    assert_problem(action(api, task_id, "start"), 409, NOT_ALLOWED, 1)  # its worker is alive
    settings.TASK_STALE_AFTER_SECONDS = 0
    assert_hypermedia(action(api, task_id, "start"), 200, "message")
    assert task_row(task_id).status == "queued"
    run_jobs()
    assert task_row(task_id).status == "done"


def test_paused_or_stopped_queued_task_is_not_run_by_its_job(api, owner, queues):
    list_id = create_list(api, "Target")
    paused = submit(api, list_id, csv_bytes([["email"], ["p@example.com"]]), "text/csv")
    stopped = submit(api, list_id, csv_bytes([["email"], ["s@example.com"]]), "text/csv")
    action(api, paused, "pause")
    action(api, stopped, "cancel")
    run_jobs()
    assert (task_row(paused).status, task_row(stopped).status) == ("paused", "canceled")
    assert task_row(paused).started_at is None and members(list_id) == set()
    assert SourceChunk.objects.filter(task_id=stopped).count() == 0  # its payload is no longer kept
    assert_hypermedia(action(api, paused, "start"), 200, "message")
    run_jobs()
    assert task_row(paused).status == "done" and members(list_id) == {"p@example.com"}


@BOTH_PATHS
def test_pause_mid_import_then_start_imports_every_row_once(api, owner, baseline, path):
    list_id = prepare(api, owner.account)
    data, expected = big_file()
    task_id = submit(api, list_id, data, "text/csv")
    interrupt_after_two_chunks(api, task_id, "pause")

    paused = task_row(task_id)
    assert paused.status == "paused"
    assert paused.checkpoint == paused.processed == 2 * CHUNK  # whole chunks only
    assert 0 < len(members(list_id)) < 2 * CHUNK
    assert action_rels(get_task(api, task_id)) == ["start", "stop", "cancel"]
    run_jobs()  # the job queued at submission finds the task paused: nothing moves
    assert task_row(task_id).processed == 2 * CHUNK

    assert_hypermedia(action(api, task_id, "start"), 200, "message")
    run_jobs()
    shot = snapshot(api, owner.account, list_id, task_id)
    assert shot["status"] == "done"
    assert shot["progress"]["processed"] == shot["progress"]["total"] == 100
    assert shot == baseline, {k: (shot[k], baseline[k]) for k in shot if shot[k] != baseline[k]}
    assert shot["result"] == expected
    assert Membership.objects.filter(list_id=list_id).count() == len(shot["members"]) == 93
    assert TaskError.objects.filter(task_id=task_id).count() == 2
    assert_list_counters_exact(api, owner.account)


def test_resume_does_not_take_an_earlier_invalid_row_for_a_duplicate(api, owner, queues, settings):
    """Row 6 has a bad value, so its address is not imported there; row 51 (after the pause) must import it."""
    settings.IMPORT_CHUNK_SIZE = CHUNK
    list_id = prepare(api, owner.account)
    data, expected = big_file(twice=True)
    task_id = submit(api, list_id, data, "text/csv")
    interrupt_after_two_chunks(api, task_id, "pause")
    assert "twice@example.com" not in members(list_id)
    action(api, task_id, "start")
    run_jobs()
    body = get_task(api, task_id)
    assert [e["row"] for e in errors_of(api, task_id)] == [6, 13, 78]
    assert body["result"] == expected, body["result"]
    assert "twice@example.com" in members(list_id)
    assert Subscriber.objects.get(account=owner.account, email="twice@example.com").fields == {"age": 7}


def test_stop_mid_import_keeps_the_rows_done_and_never_imports_the_rest(api, owner, queues, settings):
    settings.IMPORT_CHUNK_SIZE = CHUNK
    list_id = prepare(api, owner.account)
    data, _ = big_file()
    task_id = submit(api, list_id, data, "text/csv")
    interrupt_after_two_chunks(api, task_id, "stop")
    run_jobs()
    body = get_task(api, task_id)
    assert body["status"] == "canceled" and body["reason"] and body["finishedAt"]
    assert body["progress"]["processed"] == 2 * CHUNK and body["progress"]["percent"] == 20.0
    assert_counts_add_up(body)
    first_rows = {f"s{i}@example.com" for i in range(1, 21)} - {"s12@example.com", "s15@example.com"}
    assert members(list_id) == first_rows
    assert Subscriber.objects.filter(account=owner.account).count() == len(first_rows) + 2
    assert_problem(action(api, task_id, "start"), 409, NOT_ALLOWED, 1)
    assert SourceChunk.objects.filter(task_id=task_id).count() == 0
    assert_list_counters_exact(api, owner.account)
