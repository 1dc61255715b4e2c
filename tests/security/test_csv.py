"""Every CSV the server writes escapes cells a spreadsheet would run as a formula.

The one CSV today is a task's error report (``Accept: text/csv``), whose cells repeat what the client
imported. A new CSV writer in the code fails ``test_every_csv_writer_is_known`` until it is listed
here with a test.
"""

import csv
import io
import json
from pathlib import Path

from django.conf import settings

from api.cells import csv_cell
from tests.tasks.builders import TaskPaths, create_list, get_task, queues, run_jobs, submit  # noqa: F401

CSV_WRITERS = {
    "tasks/representations.py": "the task error report, every text cell through csv_cell",
    "tasks/views.py": "serves that report as text/csv (CsvRenderer passes the text through)",
    "subscribers/admin.py": "the back office's export of selected subscribers, every text cell through csv_cell",
    "backoffice/exports.py": "the back office's analytics tables (periods, campaigns), every cell through csv_cell",
}
# The exports (exports/) are written by PostgreSQL's COPY, every text column through api.cells.sql_cell (the
# same rule): test_the_sql_twin_of_csv_cell_gives_the_same_answers, test_an_export_escapes_every_formula_….
DANGEROUS = [
    "=1+2",
    "+1+2",
    "-1+2",
    "@SUM(A1)",
    "\t=1+2",
    "\r=1+2",
    '=HYPERLINK("https://evil.example")',
    "-",
    "@",
    "\t",
    "\rtext",
    "+",
    "=cmd|' /C calc'!A0",
]
HARMLESS = ["plain", "a=b", "x+1", "1-2", "mail@example", " space", "'quoted"]


def test_a_cell_that_starts_like_a_formula_is_escaped():
    for value in DANGEROUS:
        assert csv_cell(value) == "'" + value
    for value in HARMLESS:
        assert csv_cell(value) == value
    assert csv_cell(None) == "" and csv_cell(-5) == "'-5"


def test_the_error_report_escapes_every_formula_it_repeats(api, queues):  # noqa: F811
    list_id = create_list(api, "Target")
    items = [{"emailAddress": value} for value in DANGEROUS + HARMLESS]
    task_id = submit(api, list_id, json.dumps({"items": items}).encode(), "application/json")
    run_jobs()
    assert get_task(api, task_id)["errorsCount"] == len(items)
    response = api.get(TaskPaths(api.owner).errors(task_id), HTTP_ACCEPT="text/csv")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    header, *records = list(csv.reader(io.StringIO(text, newline="")))
    assert header == ["row", "emailAddress", "problem"]
    assert [record[1] for record in records] == ["'" + value for value in DANGEROUS] + HARMLESS
    for record in records:
        for cell in record:
            assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), record


def test_every_csv_writer_is_known():
    base = Path(settings.BASE_DIR)
    writers = set()
    for path in base.rglob("*.py"):
        relative = path.relative_to(base).as_posix()
        if relative.startswith((".venv/", "node_modules/", "tests/", "bench/")):
            continue
        source = path.read_text(encoding="utf-8")
        if "csv.writer" in source or "csv.DictWriter" in source or ("text/csv" in source and "Renderer" in source):
            writers.add(relative)
    assert writers == set(CSV_WRITERS)


def test_the_back_offices_subscriber_export_neutralizes_formulas(api, owner, admin_client):
    from subscribers.models import Subscriber
    from tests.subscribers.builders import create_list, subscribed

    news = create_list(api, "=HYPERLINK(1)")
    subscribed(api, news, "ann@example.com", fields={"firstName": "=1+2", "lastName": "@SUM(A1)"})
    selected = list(Subscriber.objects.filter(account=owner.account).values_list("pk", flat=True))
    response = admin_client.post(
        "/admin/subscribers/subscriber/", {"action": "export_csv", "_selected_action": selected}
    )
    _, record = list(csv.reader(io.StringIO(response.content.decode(), newline="")))
    assert record[4] == "'=HYPERLINK(1)" and record[-2:] == ["'=1+2", "'@SUM(A1)"], record


def test_the_back_offices_analytics_tables_neutralize_formulas(api, owner, admin_client):
    from collections import Counter
    from datetime import date

    from analytics.services import daily_add
    from tests.campaigns.builders import create_campaign

    for value in DANGEROUS[:7]:
        daily_add(owner.account.pk, create_campaign(api, name=value), date(2026, 2, 1), Counter({"sent": 1}))
    query = f"account={owner.account.pk}&from=2026-02-01&to=2026-02-01"
    for table in ("periods", "campaigns"):
        response = admin_client.get(f"/admin/analytics/figures.csv?{query}&table={table}")
        assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
        _, *records = list(csv.reader(io.StringIO(response.content.decode(), newline="")))
        assert records
        for record in records:
            for cell in record:
                assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), record
    names = [record[1] for record in records]  # the API strips a name's surrounding blanks: "\t=1+2" is "=1+2"
    assert len(names) == 7 and all(name.startswith("'=") or name[1] in "+-@" for name in names), names


def test_the_sql_twin_of_csv_cell_gives_the_same_answers(db):
    """The exports escape in PostgreSQL (api.cells.sql_cell): the same rule, cell for cell."""
    from django.db import connection

    from api.cells import sql_cell

    values = [*DANGEROUS, *HARMLESS, "", "'=already", "é=1"]
    with connection.cursor() as cursor:
        for value in values:
            cursor.execute(f"SELECT {sql_cell('v')} FROM (SELECT %s::text AS v) t", [value])
            assert cursor.fetchone()[0] == csv_cell(value), value
        cursor.execute(f"SELECT {sql_cell('NULL::text')}")
        assert cursor.fetchone()[0] is None  # an empty cell


def test_an_export_escapes_every_formula_in_csv_and_xlsx(api, queues):  # noqa: F811
    from tests.exports.builders import exported
    from tests.subscribers.builders import create_field, create_list, subscribed

    create_field(api, "note", "string")
    news = create_list(api, "=HYPERLINK(1)")
    for number, value in enumerate(DANGEROUS):
        subscribed(api, news, f"s{number}@example.com", fields={"note": value, "firstName": value})
    for fmt in ("csv", "xlsx"):
        _, rows = exported(api, kind="subscribers", listId=news, format=fmt)
        header, *records = rows
        assert len(records) == len(DANGEROUS)
        for record in records:
            for cell in record:
                assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), record
        notes = [record[header.index("note")] for record in records]
        assert notes == [csv_cell(value.strip()) for value in DANGEROUS], notes  # the API trims values
        assert {record[header.index("lists")] for record in records} == {"'=HYPERLINK(1)"}
