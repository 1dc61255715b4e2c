"""Every accepted payload (JSON, CSV, XLS, XLSX, multipart, an HTML form) imports the same table to the same
result, at the endpoint and at the received Blueprint's `…/lists/{listId}/import`."""

import datetime
from urllib.parse import urlencode

import pytest
from django.test import TestCase

from subscribers.models import Status, Subscriber
from tests.helpers import assert_hypermedia, assert_problem, links_by_rel
from tests.subscribers.builders import create_field, create_list, md5, set_status, subscribed, unsubscribe
from tests.tasks.builders import (
    XLS,
    XLSX,
    TaskPaths,
    action_rels,
    assert_counts_add_up,
    assert_list_counters_exact,
    csv_bytes,
    errors_of,
    fields_of,
    get_task,
    json_body,
    members,
    post_import,
    post_multipart,
    run_jobs,
    submit,
    task_id_of,
    upload,
    xls_bytes,
    xlsx_bytes,
)

HEADER = ["email", "firstName", "lastName", "age"]
RECORDS = [  # spreadsheet row numbers: the header is row 1
    ["new1@example.com", "Ann", "", 31],  # 2  new
    ["old@example.com", "New", "", ""],  # 3  updated: only firstName changes
    ["member@example.com", "", "Ber", ""],  # 4  already in the list
    ["", "", "", ""],  # 5  blank: skipped, still counts as a row number
    ["not-an-email", "X", "", ""],  # 6  invalid address
    ["NEW1@Example.com", "Other", "", ""],  # 7  duplicate of row 2
    ["gone@example.com", "G", "", ""],  # 8  unsubscribed: skipped
    ["bounced@example.com", "B", "", ""],  # 9  hard-bounced: skipped
    ["bad-age@example.com", "", "", "abc"],  # 10 invalid value
    ["new2@example.com", "Zoë", "", ""],  # 11 new, non-ASCII value
]
FILE_ERROR_ROWS = [(6, "not-an-email"), (10, "bad-age@example.com")]
JSON_ERROR_ROWS = [(4, "not-an-email"), (8, "bad-age@example.com")]  # 1-based positions in items (no blank)
EXPECTED = {
    "new": 2,
    "updated": 1,
    "alreadyInList": 1,
    "pending": 0,
    "duplicatedInFile": 1,
    "invalid": 2,
    "skippedUnsubscribed": 1,
    "skippedBounced": 1,
}


def table(email_header="email"):
    return [[email_header, *HEADER[1:]], *RECORDS]


@pytest.fixture
def world(api, owner):
    """Target list, another list, and subscribers in every state the import meets."""
    target, other_list = create_list(api, "Target"), create_list(api, "Other")
    create_field(api, "age", "number")
    subscribed(api, other_list, "old@example.com", {"firstName": "Old", "lastName": "Keep", "age": 40})
    subscribed(api, target, "member@example.com", {"firstName": "Mem"})
    subscribed(api, other_list, "gone@example.com", {"firstName": "Gone"})
    unsubscribe(api, md5("gone@example.com"))
    subscribed(api, other_list, "bounced@example.com")
    set_status(owner.account, md5("bounced@example.com"), "hard-bounce")
    return {"target": target, "other": other_list}


def json_rows():
    return [HEADER, *[record for record in RECORDS if any(cell != "" for cell in record)]]


FORMATS = {
    "json": lambda: (json_body(json_rows()), "application/json"),
    "csv": lambda: (csv_bytes(table()), "text/csv"),
    "csv-charset": lambda: (csv_bytes(table()), "text/csv; charset=utf-8"),
    "csv-semicolon-bom-emailAddress": lambda: (csv_bytes(table("emailAddress"), ";", bom=True), "text/csv"),
    "csv-application": lambda: (csv_bytes(table("EmailAddress")), "application/csv"),
    "xlsx": lambda: (xlsx_bytes(table()), XLSX),
    "xls": lambda: (xls_bytes(table()), XLS),
}


def assert_imported(api, owner, world, task_id, error_rows):
    body = get_task(api, task_id)
    assert (body["type"], body["status"], body["reason"]) == ("import", "done", None)
    assert body["progress"] == {"total": 9, "processed": 9, "succeeded": 7, "failed": 2, "percent": 100.0}
    assert body["result"] == EXPECTED
    assert body["errorsCount"] == 2
    assert_counts_add_up(body)
    assert body["startedAt"] and body["finishedAt"] and body["heartbeatAt"]
    assert body["createdAt"] <= body["startedAt"] <= body["finishedAt"]
    assert action_rels(body) == []  # a done task allows no action
    assert links_by_rel(body, "/rels/list")[0]["href"] == TaskPaths(api.owner).list(world["target"])

    errors = errors_of(api, task_id)
    assert [(e["row"], e["emailAddress"]) for e in errors] == error_rows
    assert "email" in errors[0]["problem"].lower()
    assert "age" in errors[1]["problem"] and "number" in errors[1]["problem"]

    account = owner.account
    assert members(world["target"]) == {"new1@example.com", "new2@example.com", "old@example.com", "member@example.com"}
    assert fields_of(account, "new1@example.com") == {"firstName": "Ann", "age": 31}  # the duplicate is ignored
    assert fields_of(account, "new2@example.com") == {"firstName": "Zoë"}
    assert fields_of(account, "old@example.com") == {"firstName": "New", "lastName": "Keep", "age": 40}
    assert fields_of(account, "member@example.com") == {"firstName": "Mem", "lastName": "Ber"}
    # Suppressed subscribers are left exactly as they were: not resubscribed, not edited, not added.
    gone = Subscriber.objects.get(account=account, email="gone@example.com")
    assert (gone.status, gone.fields) == (Status.UNSUBSCRIBED_BY_ADMIN, {"firstName": "Gone"})
    assert Subscriber.objects.get(account=account, email="bounced@example.com").status == Status.HARD_BOUNCE
    assert not Subscriber.objects.filter(email__in=["not-an-email", "bad-age@example.com"]).exists()
    assert Subscriber.objects.filter(account=account).count() == 6
    assert_list_counters_exact(api, account)


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_imports_the_same_table(api, owner, world, queues, fmt):
    data, content_type = FORMATS[fmt]()
    response = post_import(api, world["target"], data, content_type)
    task_id = task_id_of(response)
    paths = TaskPaths(api.owner)
    assert response["Location"] == paths.task(task_id)
    body = response.json()
    assert body["message"] == "Import task successfully created"
    assert links_by_rel(body, "/rels/task")[0]["href"] == paths.task(task_id)
    assert links_by_rel(body, "/rels/cancel-task")[0]["href"] == paths.action(task_id, "cancel")
    assert links_by_rel(body, "/rels/list")[0]["href"] == paths.list(world["target"])
    assert links_by_rel(body, "/rels/account-home")[0]["href"] == paths.home

    queued = get_task(api, task_id)
    assert (queued["status"], queued["progress"]["total"], queued["progress"]["processed"]) == ("queued", 9, 0)
    assert (queued["startedAt"], queued["finishedAt"], queued["heartbeatAt"]) == (None, None, None)
    assert members(world["target"]) == {"member@example.com"}  # nothing written before a worker runs
    run_jobs()
    assert_imported(api, owner, world, task_id, JSON_ERROR_ROWS if fmt == "json" else FILE_ERROR_ROWS)


MULTIPART = {
    "content-type part": lambda: {"file": upload("data.bin", xlsx_bytes(table())), "content-type": XLSX},
    "part's own content type": lambda: {"file": upload("data.bin", csv_bytes(table()), "text/csv")},
    "extension .xls": lambda: {"file": upload("Subscribers.XLS", xls_bytes(table()))},
    "extension .csv": lambda: {"file": upload("subscribers.csv", csv_bytes(table(), ";"))},
    "json file": lambda: {"file": upload("items.json", json_body(json_rows()), "application/json")},
}


@pytest.mark.parametrize("case", MULTIPART)
def test_multipart_file_imports_the_same_table(api, owner, world, queues, case):
    task_id = task_id_of(post_multipart(api, world["target"], MULTIPART[case]()))
    run_jobs()
    assert_imported(api, owner, world, task_id, JSON_ERROR_ROWS if case == "json file" else FILE_ERROR_ROWS)


FORMS = {  # the received Blueprint's "HTML Form (x-www-form-urlencoded)": the file's text in `file`
    "csv, content type implied": lambda: {"file": csv_bytes(table()).decode()},
    "csv": lambda: {"file": csv_bytes(table(), ";").decode(), "content-type": "text/csv"},
    "application/csv": lambda: {"file": csv_bytes(table()).decode(), "content-type": "application/csv"},
    "json": lambda: {"file": json_body(json_rows()).decode(), "content-type": "application/json"},
}
FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize("case", FORMS)
def test_an_html_form_imports_the_same_table(api, owner, world, queues, case):
    task_id = task_id_of(post_import(api, world["target"], urlencode(FORMS[case]()), FORM))
    run_jobs()
    assert_imported(api, owner, world, task_id, JSON_ERROR_ROWS if case == "json" else FILE_ERROR_ROWS)


def test_a_form_without_file_or_with_a_workbook_is_a_problem(api, world):
    response = post_import(api, world["target"], urlencode({"content-type": "text/csv"}), FORM)
    assert_problem(response, 400, "/errors/400.24-missing-data")
    assert response.json()["errors"] == [{"field": "file", "detail": "This field is required."}]
    response = post_import(api, world["target"], urlencode({"file": "x", "content-type": XLSX}), FORM)
    assert_problem(response, 415, "/errors/415.1-unsupported-media-type")
    assert "multipart/form-data" in response.json()["detail"]


@pytest.mark.parametrize("fmt", ["json", "csv-application"])
def test_the_received_import_href_is_the_same_endpoint(api, owner, world, queues, fmt):
    """The received list-subscribers collection links `…/lists/{listId}/import`: it imports as the endpoint does."""
    data, content_type = FORMATS[fmt]()
    path = TaskPaths(api.owner).list(world["target"]) + "/import"
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = api.request("POST", path, data, content_type=content_type)
    task_id = task_id_of(response)
    assert response["Location"] == TaskPaths(api.owner).task(task_id)
    run_jobs()
    assert_imported(api, owner, world, task_id, JSON_ERROR_ROWS if fmt == "json" else FILE_ERROR_ROWS)


def test_multipart_without_file_part_is_refused(api, world):
    response = post_multipart(api, world["target"], {"content-type": "text/csv"})
    assert response.status_code == 400, response.content


def test_importing_the_same_file_again_changes_nothing(api, owner, world, queues):
    data = csv_bytes(table())
    first = submit(api, world["target"], data, "text/csv")
    run_jobs()
    before = {s.email: (s.status, s.fields, s.updated_at) for s in Subscriber.objects.filter(account=owner.account)}
    versions = _row_versions(owner.account)
    second = submit(api, world["target"], data, "text/csv")
    run_jobs()
    assert get_task(api, first)["result"] == EXPECTED
    body = get_task(api, second)
    assert body["result"] == {**EXPECTED, "new": 0, "updated": 0, "alreadyInList": 4}
    assert_counts_add_up(body)
    after = {s.email: (s.status, s.fields, s.updated_at) for s in Subscriber.objects.filter(account=owner.account)}
    assert after == before
    assert _row_versions(owner.account) == versions  # not rewritten: the same row versions, no new index entries
    assert_list_counters_exact(api, owner.account)


def test_a_changed_value_in_a_reimport_is_written_and_only_its_row(api, owner, world, queues):
    submit(api, world["target"], csv_bytes(table()), "text/csv")
    run_jobs()
    versions = _row_versions(owner.account)
    records = [list(record) for record in RECORDS]
    records[0][1] = "Anna"  # new1@example.com's firstName
    second = submit(api, world["target"], csv_bytes([HEADER, *records]), "text/csv")
    run_jobs()
    assert get_task(api, second)["result"]["alreadyInList"] == 4
    changed = {email for email, version in _row_versions(owner.account).items() if versions[email] != version}
    assert changed == {"new1@example.com"}
    assert Subscriber.objects.get(account=owner.account, email="new1@example.com").fields["firstName"] == "Anna"


def _row_versions(account) -> dict:
    """Each subscriber's row version (PostgreSQL's ctid moves when a row is rewritten; on SQLite, its
    ``updated_at``)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return dict(Subscriber.objects.filter(account=account).values_list("email", "updated_at"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT email, ctid::text FROM subscribers_subscriber WHERE account_id = %s", [account.pk])
        return dict(cursor.fetchall())


def test_json_rows_with_bad_shapes_are_row_errors_not_fatal(api, owner, world, queues):
    body = {
        "items": [
            {"emailAddress": "ok@example.com", "fields": [{"fieldName": "firstName", "value": "Ok"}]},
            "just a string",
            {"emailAddress": "f@example.com", "fields": "firstName=F"},
            {"emailAddress": "u@example.com", "fields": [{"fieldName": "noSuchField", "value": 1}]},
            {"fields": []},
            {"emailAddress": 12345},
            {"emailAddress": "ok2@example.com", "fields": [{"fieldName": "lastName", "value": ""}]},
        ]
    }
    task_id = submit(api, world["target"], body, "application/json")
    run_jobs()
    task = get_task(api, task_id)
    assert task["status"] == "done"
    assert task["result"]["new"] == 2 and task["result"]["invalid"] == 5
    assert_counts_add_up(task)
    errors = errors_of(api, task_id)
    assert [e["row"] for e in errors] == [2, 3, 4, 5, 6]
    assert "noSuchField" in errors[2]["problem"]
    assert fields_of(owner.account, "ok2@example.com") == {}  # an empty value sets nothing
    assert_hypermedia(api.get(TaskPaths(api.owner).errors(task_id)), 200, "task-errors-collection")


def test_a_file_with_a_header_and_no_rows_is_an_empty_done_task(api, world, queues):
    task_id = submit(api, world["target"], b"email,firstName\r\n\r\n", "text/csv")
    run_jobs()
    body = get_task(api, task_id)
    assert body["status"] == "done"
    assert body["progress"] == {"total": 0, "processed": 0, "succeeded": 0, "failed": 0, "percent": 100.0}
    assert members(world["target"]) == {"member@example.com"}


@pytest.mark.parametrize("content_type, build", [(XLSX, xlsx_bytes), (XLS, xls_bytes)])
def test_spreadsheet_cells_keep_their_types(api, owner, world, queues, content_type, build):
    rows = [
        ["email", "birthday", "age", "country"],
        ["d@example.com", datetime.date(1990, 5, 17), 42, "ES"],
        ["e@example.com", datetime.datetime(2001, 1, 2, 3, 4), 2.5, ""],  # noqa: DTZ001 (a spreadsheet cell has no time zone)
    ]
    task_id = submit(api, world["target"], build(rows), content_type)
    run_jobs()
    assert get_task(api, task_id)["result"]["new"] == 2, errors_of(api, task_id)
    assert fields_of(owner.account, "d@example.com") == {"birthday": "1990-05-17", "age": 42, "country": "ES"}
    assert fields_of(owner.account, "e@example.com") == {"birthday": "2001-01-02", "age": 2.5}
