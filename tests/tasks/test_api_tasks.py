"""The tasks collection, a task, its links per status, and its errors report (JSON pages and CSV)."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from tasks.models import Task, TaskStatus
from tests.helpers import assert_hypermedia, assert_problem, links_by_rel
from tests.subscribers.builders import assert_every_page, assert_page, create_list
from tests.tasks.builders import (
    EXPECTED_ACTIONS,
    TaskPaths,
    action,
    action_rels,
    csv_bytes,
    get_task,
    make_zoo,
    new_task,
    run_jobs,
    submit,
    task_row,
)


@pytest.fixture
def paths(owner):
    return TaskPaths(owner)


TASK_PAGES = {
    "profile": "tasks-collection",
    "collection_rel": "/rels/tasks-collection",
    "affordances": ["parent /rels/account-home"],
    "key": lambda item: item["taskId"],
}


def test_task_detail_in_each_status(api, paths, queues, settings):
    ids = make_zoo(api, settings)
    for status, task_id in ids.items():
        body = get_task(api, task_id)
        assert (body["taskId"], body["type"], body["status"]) == (task_id, "import", status)
        assert action_rels(body) == EXPECTED_ACTIONS[status], status
        related = [] if status == "error" else ["related /rels/list"]  # its list was deleted
        assert [item["rel"] for item in body["_links"]][: 4 + len(related)] == [
            "self /rels/task",
            "/rels/task-errors",
            *related,
            "parent /rels/tasks-collection",
            "/rels/account-home",
        ]
        assert links_by_rel(body, "self")[0]["href"] == paths.task(task_id)
        assert links_by_rel(body, "/rels/task-errors")[0]["href"] == paths.errors(task_id)
        assert links_by_rel(body, "/rels/tasks-collection")[0]["href"] == paths.tasks
        assert (body["finishedAt"] is not None) == (status in ("done", "error", "canceled")), status
        assert (body["startedAt"] is not None) == (status in ("done", "error", "in-progress")), status
        assert (body["reason"] is not None) == (status in ("error", "canceled")), status
        assert body["progress"]["total"] == 3
    assert "list" in get_task(api, ids["error"])["reason"]
    assert get_task(api, ids["done"])["progress"]["percent"] == 100.0
    assert get_task(api, ids["queued"])["progress"]["percent"] == 0.0


def test_stale_in_progress_task_offers_start(api, queues, settings):
    ids = make_zoo(api, settings)
    task_id = ids["in-progress"]
    Task.objects.filter(pk=task_id).update(heartbeat_at=timezone.now() - timedelta(seconds=61))
    assert action_rels(get_task(api, task_id)) == ["pause", "start", "stop", "cancel"]
    assert get_task(api, task_id)["status"] == "in-progress"


def test_collection_newest_first_with_counts_and_links(api, paths, queues, settings):
    ids = make_zoo(api, settings)
    newest_first = sorted(ids.values(), reverse=True)
    body = assert_page(
        api,
        paths.tasks,
        newest_first,
        page=1,
        per_page=20,
        **TASK_PAGES,
    )
    for item in body["items"]:
        assert links_by_rel(item, "item")[0]["href"] == paths.task(item["taskId"])
        assert action_rels(item) == EXPECTED_ACTIONS[item["status"]]
        # Items keep the received `item` token on their actions (`item /rels/cancel-task`); the detail has none.
        actions = [link["rel"] for link in item["_links"][1:]]
        assert actions == [f"item /rels/{name}-task" for name in EXPECTED_ACTIONS[item["status"]]]
        detail = [link["rel"] for link in get_task(api, item["taskId"])["_links"] if link["rel"].endswith("-task")]
        assert detail == [f"/rels/{name}-task" for name in EXPECTED_ACTIONS[item["status"]]]
        assert set(item) >= {"taskId", "type", "status", "progress", "createdAt", "_links"}
    assert_every_page(
        api,
        paths.tasks,
        newest_first,
        per_page=5,
        **TASK_PAGES,
    )


@pytest.mark.parametrize("status", TaskStatus.values)
def test_collection_filtered_by_status_counts_exactly(api, paths, queues, settings, status):
    ids = make_zoo(api, settings)
    extra = new_task(api, create_list(api, "More"))  # one more queued task
    expected = sorted((task_id for name, task_id in ids.items() if name == status), reverse=True)
    if status == "queued":
        expected = [extra, *expected]
    assert len(expected) == Task.objects.filter(status=status).count()
    assert_page(
        api,
        paths.tasks,
        expected,
        page=1,
        per_page=5,
        **TASK_PAGES,
        query=f"status={status}",
    )


def test_unknown_status_filter_is_400_3(api, paths):
    for value in ("running", "DONE", "finished"):
        assert_problem(api.get(f"{paths.tasks}?status={value}"), 400, "/errors/400.3-invalid-parameter", 3)
    assert_problem(api.get(f"{paths.tasks}?per_page=500"), 400, "/errors/400.3-invalid-parameter", 3)


def test_tasks_of_another_account_are_out_of_reach(api, paths, client_for, other, queues):
    theirs = client_for(other)
    task_id = new_task(theirs, create_list(theirs, "Theirs"))
    assert_problem(api.get(paths.task(task_id)), 404, "/errors/404.1-not-found", 1)
    assert_problem(api.get(paths.errors(task_id)), 404, "/errors/404.1-not-found", 1)
    assert_problem(action(api, task_id, "stop"), 404, "/errors/404.1-not-found", 1)
    assert_problem(api.get(TaskPaths(other).task(task_id)), 403, "/errors/403.1-forbidden-wrong-account", 1)
    assert_problem(api.get(TaskPaths(other).tasks), 403, "/errors/403.1-forbidden-wrong-account", 1)
    assert assert_hypermedia(api.get(paths.tasks), 200, "tasks-collection")["itemsCount"] == 0
    assert task_row(task_id).status == "queued"
    assert_problem(api.get(paths.task(999999)), 404, "/errors/404.1-not-found", 1)


ERROR_PAGES = {
    "profile": "task-errors-collection",
    "collection_rel": "/rels/task-errors",
    "affordances": ["parent /rels/task", "/rels/account-home"],
    "key": lambda item: item["row"],
}
DANGEROUS = ["=1+2", "+cmd", "-2+3", "@SUM(A1)", '=HYPERLINK("http://x")']


@pytest.fixture
def errored_import(api, queues):
    """An import whose 12 bad rows include addresses a spreadsheet would run as formulas."""
    list_id = create_list(api, "Target")
    rows = [["email"], ["ok@example.com"], *[[f"bad{i}"] for i in range(7)], *[[value] for value in DANGEROUS]]
    task_id = submit(api, list_id, csv_bytes(rows), "text/csv")
    run_jobs()
    assert get_task(api, task_id)["errorsCount"] == 12
    return task_id


def test_errors_are_paginated_in_row_order(api, paths, errored_import):
    expected = list(range(3, 15))
    assert_every_page(
        api,
        paths.errors(errored_import),
        expected,
        per_page=5,
        **ERROR_PAGES,
    )
    body = assert_hypermedia(api.get(paths.errors(errored_import)), 200, "task-errors-collection")
    assert body["items"][0] == {"row": 3, "emailAddress": "bad0", "problem": body["items"][0]["problem"]}
    assert body["items"][0]["problem"]
    assert links_by_rel(body, "/rels/task")[0]["href"] == paths.task(errored_import)
    assert [item["emailAddress"] for item in body["items"][7:]] == DANGEROUS  # JSON is not escaped


def test_errors_download_as_csv_with_formulas_escaped(api, paths, errored_import):
    response = api.get(paths.errors(errored_import), HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    records = list(csv.reader(io.StringIO(text)))
    assert records[0] == ["row", "emailAddress", "problem"]
    assert [int(r[0]) for r in records[1:]] == list(range(3, 15))
    assert [r[1] for r in records[1:8]] == [f"bad{i}" for i in range(7)]
    assert [r[1] for r in records[8:]] == ["'" + value for value in DANGEROUS]
    for record in records[1:]:
        assert record[2] and record[2][0] not in "=+-@", record


def test_errors_csv_of_a_task_without_errors_is_just_the_header(api, paths, queues):
    task_id = new_task(api, create_list(api, "Target"))
    run_jobs()
    response = api.get(paths.errors(task_id), HTTP_ACCEPT="text/csv")
    assert b"".join(response.streaming_content).decode().splitlines() == ["row,emailAddress,problem"]
    body = assert_hypermedia(api.get(paths.errors(task_id)), 200, "task-errors-collection")
    assert (body["items"], body["itemsCount"], body["pagesCount"]) == ([], 0, 0)
