"""Shared helpers for the tasks tests: URLs, payload builders, running jobs, checks on the outcome."""

import csv
import datetime
import io
import json

import django_rq
import pytest
import rq
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from imports.runner import RESULT_KEYS
from lists.models import MailingList
from subscribers.models import Membership, Status, Subscriber
from tasks.models import Task
from tasks.services import task_claim
from tests.helpers import action_links, assert_hypermedia
from tests.subscribers.builders import Paths, create_list, items_count, list_quantities

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLS = "application/vnd.ms-excel"
ACTION_RELS = {
    "pause": "/rels/pause-task",
    "start": "/rels/start-task",
    "stop": "/rels/stop-task",
    "cancel": "/rels/cancel-task",
}
QUEUES = ("imports", "default", "callbacks")


class TaskPaths(Paths):
    def __init__(self, account_with_key):
        super().__init__(account_with_key)
        self.tasks = f"{self.home}/tasks"

    def import_(self, list_id) -> str:
        return f"{self.list_subscribers(list_id)}/import"

    def task(self, task_id) -> str:
        return f"{self.tasks}/{task_id}"

    def errors(self, task_id) -> str:
        return f"{self.tasks}/{task_id}/errors"

    def action(self, task_id, name) -> str:
        return f"{self.tasks}/{task_id}/{name}"


# --- Payloads ------------------------------------------------------------------------------------


def csv_bytes(rows: list[list], delimiter=",", bom=False) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[list]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append([None if cell == "" else cell for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xls_bytes(rows: list[list]) -> bytes:
    import xlwt

    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("Subscribers")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if isinstance(cell, datetime.date):
                sheet.write(r, c, cell, date_style)
            elif cell != "":
                sheet.write(r, c, cell)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def json_body(rows: list[list], callback=None) -> bytes:
    """The same table as a JSON items array (first row = header, as for the files)."""
    header, *records = rows
    email_column = [name.lower() for name in header].index("email")
    items = []
    for record in records:
        fields = [
            {"fieldName": name, "value": value}
            for i, (name, value) in enumerate(zip(header, record, strict=True))
            if i != email_column and value != ""
        ]
        items.append({"emailAddress": record[email_column], "fields": fields})
    body = {"items": items}
    if callback:
        body["callback"] = callback
    return json.dumps(body).encode()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


# --- Submitting and running ----------------------------------------------------------------------


def post_import(api, list_id, data: bytes, content_type: str, query: str = ""):
    """POST the import; the on-commit callbacks (the enqueue) run even inside a test transaction."""
    path = TaskPaths(api.owner).import_(list_id) + (f"?{query}" if query else "")
    with TestCase.captureOnCommitCallbacks(execute=True):
        return api.request("POST", path, data, content_type=content_type)


def post_multipart(api, list_id, parts: dict):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return api.client.post(TaskPaths(api.owner).import_(list_id), data=parts, **api.auth)


def task_id_of(response) -> int:
    assert_hypermedia(response, 202, "message")
    return int(response["Location"].rsplit("/", 1)[1])


def submit(api, list_id, data: bytes, content_type: str, query: str = "") -> int:
    return task_id_of(post_import(api, list_id, data, content_type, query))


def action(api, task_id, name):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return api.post(TaskPaths(api.owner).action(task_id, name))


def empty_queues() -> None:
    for name in (*QUEUES, "webhooks"):
        queue = django_rq.get_queue(name)
        queue.empty()
        for job_id in queue.scheduled_job_registry.get_job_ids():
            queue.scheduled_job_registry.remove(job_id, delete_job=True)
        queue.connection.delete("schedule-once:tasks-requeue-stale", "schedule-once:webhooks-outbox")


@pytest.fixture
def queues():
    """Empty RQ queues before and after the test: jobs of other tests must not run here."""
    empty_queues()
    yield
    empty_queues()


class BurstWorker(rq.SimpleWorker):
    """A worker in this process, without the command channel (joining its thread costs a second)."""

    def subscribe(self):
        pass

    def unsubscribe(self):
        pass


def run_jobs(*queue_names) -> None:
    """Run every queued job in this process, then return (burst).

    Inside the test's transaction nothing commits, so the jobs that jobs ask for (a callback once a
    task ends) are queued here, on leaving the capture, and run by the next round.
    """
    for _ in range(5):
        with TestCase.captureOnCommitCallbacks(execute=True) as asked:
            django_rq.get_worker(*(queue_names or QUEUES), worker_class=BurstWorker).work(burst=True)
        if not asked:
            return


# --- Tasks in every status ----------------------------------------------------------------------

ROWS = [["email"], ["a@example.com"], ["b@example.com"], ["c@example.com"]]


def new_task(api, list_id, rows=ROWS) -> int:
    return submit(api, list_id, csv_bytes(rows), "text/csv")


def make_zoo(api, settings) -> dict:
    """One import task in each status, oldest first: done, error, canceled, paused, in-progress, queued."""
    settings.TASK_STALE_AFTER_SECONDS = 60
    target, doomed = create_list(api, "Target"), create_list(api, "Doomed")
    ids = {"done": new_task(api, target), "error": new_task(api, doomed)}
    assert_hypermedia(api.delete(TaskPaths(api.owner).list(doomed)), 200)
    run_jobs()
    ids["canceled"] = new_task(api, target)
    assert_hypermedia(action(api, ids["canceled"], "stop"), 200, "message")
    ids["paused"] = new_task(api, target)
    assert_hypermedia(action(api, ids["paused"], "pause"), 200, "message")
    ids["in-progress"] = new_task(api, target)
    assert task_claim(task_id=ids["in-progress"]) is not None  # a worker took it and is working
    ids["queued"] = new_task(api, target)
    for status, task_id in ids.items():
        assert task_row(task_id).status == status, (status, task_row(task_id).reason)
    return ids


EXPECTED_ACTIONS = {
    "queued": ["pause", "stop", "cancel"],
    "in-progress": ["pause", "stop", "cancel"],
    "paused": ["start", "stop", "cancel"],
    "error": ["start"],
    "canceled": [],
    "done": [],
}


# --- Reading back --------------------------------------------------------------------------------


def get_task(api, task_id) -> dict:
    return assert_hypermedia(api.get(TaskPaths(api.owner).task(task_id)), 200, "task")


def action_rels(body: dict) -> list[str]:
    """The action links of a task, by name, in order."""
    found = action_links(body, ACTION_RELS)
    for name, item in found:
        assert item["href"].endswith(f"/tasks/{body['taskId']}/{name}"), item
    return [name for name, _ in found]


def errors_of(api, task_id, per_page=50) -> list[dict]:
    body = assert_hypermedia(
        api.get(f"{TaskPaths(api.owner).errors(task_id)}?per_page={per_page}"), 200, "task-errors-collection"
    )
    assert body["itemsCount"] >= len(body["items"])
    return body["items"]


def assert_counts_add_up(body: dict) -> None:
    progress, result = body["progress"], body["result"]
    assert set(result) == set(RESULT_KEYS)
    assert progress["processed"] == progress["succeeded"] + progress["failed"], progress
    assert sum(result.values()) == progress["processed"], (result, progress)
    assert result["invalid"] == progress["failed"] == body["errorsCount"], (result, progress, body["errorsCount"])


def import_done(distinct: int, duplicates: int, invalid: int) -> tuple[dict, dict]:
    """The progress and result of an import done whose rows were ``distinct`` new addresses, ``duplicates``
    later repeats in the file and ``invalid`` rows, into an empty list."""
    total = distinct + duplicates + invalid
    progress = {"total": total, "processed": total, "succeeded": total - invalid, "failed": invalid, "percent": 100.0}
    result = {
        "new": distinct,
        "updated": 0,
        "alreadyInList": 0,
        "pending": 0,
        "duplicatedInFile": duplicates,
        "invalid": invalid,
        "skippedUnsubscribed": 0,
        "skippedBounced": 0,
    }
    return progress, result


def assert_list_counters_exact(api, account) -> None:
    """subscribersQuantity of every list and the active count of the account equal a recount."""
    expected = {
        mailing_list.pk: Membership.objects.filter(list=mailing_list, subscriber__status=Status.ACTIVE).count()
        for mailing_list in MailingList.objects.filter(account=account)
    }
    assert list_quantities(api) == expected
    active = Subscriber.objects.filter(account=account, status=Status.ACTIVE).count()
    assert items_count(api, f"{Paths(api.owner).subscribers}?status=active") == active
    assert items_count(api, Paths(api.owner).subscribers) == Subscriber.objects.filter(account=account).count()


def members(list_id) -> set[str]:
    return set(Membership.objects.filter(list_id=list_id).values_list("subscriber__email", flat=True))


def fields_of(account, email: str) -> dict:
    return Subscriber.objects.get(account=account, email=email).fields


def task_row(task_id) -> Task:
    return Task.objects.get(pk=task_id)
