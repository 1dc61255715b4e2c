"""Shared helpers for the exports tests: ask for an export, run it, read its file back."""

import csv
import io

import openpyxl
from django.test import Client, TestCase

from tests.helpers import assert_hypermedia, links_by_rel
from tests.tasks.builders import get_task, run_jobs


def exports_path(api, surface: str = "hypermedia") -> str:
    return "/api/v1/exports" if surface == "v1" else f"/accounts/{api.owner.name}/exports"


def ask(api, surface: str = "hypermedia", **body):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return api.post(exports_path(api, surface), body)


def submit(api, surface: str = "hypermedia", **body) -> int:
    response = ask(api, surface, **body)
    assert_hypermedia(response, 202, "message")
    return int(response["Location"].rsplit("/", 1)[1])


def file_href(api, task_id: int) -> str:
    [found] = links_by_rel(get_task(api, task_id), "/rels/export-file")
    return found["href"]


def download(href: str):
    """The file behind a download link, with no key (the link is the credential)."""
    response = Client().get(href)
    assert response.status_code == 200, (response.status_code, response.content[:500])
    return response, b"".join(response.streaming_content)


def exported(api, **body) -> tuple[dict, list[list[str]]]:
    """Export, run the job, and read the file back: (the task, its rows with the header first)."""
    task_id = submit(api, **body)
    run_jobs()
    task = get_task(api, task_id)
    assert task["status"] == "done", task
    response, data = download(file_href(api, task_id))
    return task, read_rows(data, body.get("format", "csv"), response["Content-Type"])


def read_rows(data: bytes, fmt: str, content_type: str | None = None) -> list[list[str]]:
    if fmt == "csv":
        assert content_type in (None, "text/csv; charset=utf-8")
        return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert content_type in (None, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    sheet = workbook.worksheets[0]
    width = sheet.max_column
    rows = [
        ["" if value is None else str(value) for value in (list(row) + [None] * width)[:width]]
        for row in sheet.iter_rows(values_only=True)
    ]
    workbook.close()
    return rows


def as_dicts(rows: list[list[str]]) -> list[dict]:
    header, *records = rows
    return [dict(zip(header, record, strict=True)) for record in records]
