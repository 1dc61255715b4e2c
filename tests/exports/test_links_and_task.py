"""The download link (signed, expiring), the file's retention, and the export as a task: pause, resume, cancel."""

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from exports.models import ExportPiece
from exports.representations import download_href
from exports.runner import export_run
from exports.tokens import make_token
from tasks.models import Task
from tasks.sweeper import recover_round
from tests.exports.builders import as_dicts, download, file_href, read_rows, submit
from tests.helpers import assert_hypermedia, assert_problem, links_by_rel
from tests.subscribers.builders import create_list, subscribed
from tests.tasks.builders import action, get_task, run_jobs

GONE = "/errors/410.1-export-link-gone"


@pytest.fixture
def members(api):
    list_id = create_list(api, "Members")
    for i in range(7):
        subscribed(api, list_id, f"m{i}@example.com")
    return list_id


def test_a_link_expires_and_the_file_goes_after_its_retention(api, members, settings):
    task_id = submit(api, kind="subscribers", listId=members)
    assert links_by_rel(get_task(api, task_id), "/rels/export-file") == []  # not yet done: no link
    run_jobs()
    href = file_href(api, task_id)
    assert href.startswith("/exports/")
    download(href)
    expired = f"/exports/{make_token(task_id, int(time.time()) - 1)}"
    assert_problem(Client().get(expired), 410, GONE, 1)
    forged = href[:-2] + ("aa" if not href.endswith("aa") else "bb")
    assert_problem(Client().get(forged), 404, "/errors/404.1-not-found", 1)
    # A link lives at least EXPORT_LINK_SECONDS: one made an hour ago still works, one made two hours ago not.
    download(download_href(task_id, now=time.time() - settings.EXPORT_LINK_SECONDS + 5))
    assert_problem(Client().get(download_href(task_id, now=time.time() - 2 * settings.EXPORT_LINK_SECONDS)), 410, GONE)
    # Past the retention, the sweeper deletes the file; the task no longer links it.
    Task.objects.filter(pk=task_id).update(
        finished_at=timezone.now() - timedelta(seconds=settings.EXPORT_RETENTION_SECONDS + 1)
    )
    recover_round()
    assert not ExportPiece.objects.filter(task_id=task_id).exists()
    assert links_by_rel(get_task(api, task_id), "/rels/export-file") == []
    assert_problem(Client().get(href), 410, GONE, 1)


def test_pause_resume_and_cancel(api, members, settings):
    settings.EXPORT_CHUNK_ROWS = 2
    task_id = submit(api, kind="subscribers", listId=members, format="xlsx")

    def pause_after_first_page(task):
        if task.processed == 2:
            assert_hypermedia(action(api, task_id, "pause"), 200, "message")

    export_run(task_id=task_id, progress=pause_after_first_page)
    body = get_task(api, task_id)
    assert body["status"] == "paused" and body["progress"]["processed"] == 2 and body["progress"]["total"] == 7
    assert_hypermedia(action(api, task_id, "start"), 200, "message")
    run_jobs()
    body = get_task(api, task_id)
    assert body["status"] == "done" and body["result"]["rows"] == 7 and body["result"]["bytes"] > 0
    _, data = download(file_href(api, task_id))
    assert [r["emailAddress"] for r in as_dicts(read_rows(data, "xlsx"))] == [f"m{i}@example.com" for i in range(7)]
    assert not ExportPiece.objects.filter(task_id=task_id, part=ExportPiece.ROWS).exists()  # the workbook only

    canceled = submit(api, kind="subscribers", listId=members)
    export_run(task_id=canceled, progress=lambda task: action(api, canceled, "cancel") if task.processed == 2 else None)
    assert get_task(api, canceled)["status"] == "canceled"
    assert not ExportPiece.objects.filter(task_id=canceled).exists()  # a canceled export leaves nothing
    assert links_by_rel(get_task(api, canceled), "/rels/export-file") == []


def test_a_run_that_died_mid_export_goes_on_after_its_last_page(api, members, settings):
    """The run's pages are committed one by one: a new run (the sweeper's, or start's) writes the rest once."""
    settings.EXPORT_CHUNK_ROWS = 3
    task_id = submit(api, kind="subscribers", listId=members)

    class Died(BaseException):  # not caught by the job, as a killed process is not
        pass

    def die_after_first_page(task):
        if task.processed == 3:
            raise Died

    with pytest.raises(Died):
        export_run(task_id=task_id, progress=die_after_first_page)
    task = Task.objects.get(pk=task_id)
    assert task.status == "in-progress" and task.checkpoint == 3  # as a killed worker leaves it
    Task.objects.filter(pk=task_id).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    recover_round()  # stale: queued again
    assert Task.objects.get(pk=task_id).status == "queued"
    run_jobs()
    body = get_task(api, task_id)
    assert body["status"] == "done" and body["result"]["rows"] == 7 and body["progress"]["processed"] == 7
    _, data = download(file_href(api, task_id))
    assert [r["emailAddress"] for r in as_dicts(read_rows(data, "csv"))] == [f"m{i}@example.com" for i in range(7)]
