"""A payload that cannot be imported is refused at submission with a clear problem: no task, no 500."""

import io
import os
import struct
import zipfile

import pytest

from tasks.models import SourceChunk, Task
from tests.helpers import assert_problem
from tests.subscribers.builders import create_list
from tests.tasks.builders import (
    XLS,
    XLSX,
    TaskPaths,
    csv_bytes,
    json_body,
    post_import,
    post_multipart,
    upload,
    xls_bytes,
    xlsx_bytes,
)

INVALID_FILE = "/errors/400.40-invalid-import-file"
GOOD = [["email", "firstName"], ["a@example.com", "A"], ["b@example.com", "B"]]


@pytest.fixture
def list_id(api):
    return create_list(api, "Target")


def refused(response, status=400, type_=INVALID_FILE, error_code=40, detail=None) -> dict:
    body = assert_problem(response, status, type_, error_code)
    if detail is not None:
        assert detail.lower() in body["detail"].lower(), body["detail"]
    assert Task.objects.count() == 0 and SourceChunk.objects.count() == 0  # nothing half-created
    return body


def zip_with(members: dict, method=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """Looks like an XLSX workbook; one member expands to 50 MB of zeros (about 50 KB compressed)."""
    workbook = zipfile.ZipFile(io.BytesIO(xlsx_bytes(GOOD)))
    members = {name: workbook.read(name) for name in workbook.namelist()}
    members["xl/worksheets/sheet1.xml"] = b"\0" * (50 * 1024 * 1024)
    return zip_with(members)


def lying_zip_bomb() -> bytes:
    """The bomb with its headers claiming the big member is small: reading stops at the claimed size."""
    data = bytearray(zip_bomb())
    name = b"xl/worksheets/sheet1.xml"
    local = data.rindex(b"PK\x03\x04", 0, data.index(name))
    struct.pack_into("<I", data, local + 22, 1000)
    central = data.rindex(b"PK\x01\x02", 0, data.rindex(name))
    struct.pack_into("<I", data, central + 24, 1000)
    assert max(i.file_size for i in zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()) < 50_000
    return bytes(data)


LIAR_CASES = {
    "xlsx bytes sent as text/csv": (lambda: xlsx_bytes(GOOD), "text/csv", "spreadsheet"),
    "xls bytes sent as text/csv": (lambda: xls_bytes(GOOD), "text/csv", "spreadsheet"),
    "csv text sent as xlsx": (lambda: csv_bytes(GOOD), XLSX, "xlsx"),
    "csv text sent as xls": (lambda: csv_bytes(GOOD), XLS, "xls"),
    "xlsx bytes sent as xls": (lambda: xlsx_bytes(GOOD), XLS, "xls"),
    "random bytes as xls": (lambda: os.urandom(4096), XLS, "xls"),
    "random bytes behind the OLE magic as xls": (
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(4096),
        XLS,
        "corrupt",
    ),
    "random bytes as xlsx": (lambda: os.urandom(4096), XLSX, "xlsx"),
    "truncated xlsx": (lambda: xlsx_bytes(GOOD)[:700], XLSX, "corrupt"),
    "xlsx missing its end": (lambda: xlsx_bytes(GOOD)[:-30], XLSX, "corrupt"),
    "zip that is not a workbook": (lambda: zip_with({"readme.txt": b"hello"}), XLSX, "not an xlsx"),
    "zip bomb": (zip_bomb, XLSX, "zip bomb"),
    "zip bomb with lying sizes": (lying_zip_bomb, XLSX, "corrupt"),
    "latin-1 csv": (lambda: "email,firstName\r\njosé@example.com,José\r\n".encode("latin-1"), "text/csv", "utf-8"),
    "utf-16 csv": (lambda: "email,firstName\r\na@example.com,A\r\n".encode("utf-16"), "text/csv", None),
    "binary with NUL bytes as csv": (lambda: b"email\r\na@example.com\0\0\0\r\n", "text/csv", None),
    "csv of only a BOM": (lambda: b"\xef\xbb\xbf", "text/csv", "empty"),
    "csv without email column": (
        lambda: csv_bytes([["mail", "firstName"], ["a@example.com", "A"]]),
        "text/csv",
        "email column",
    ),
    "xlsx without email column": (lambda: xlsx_bytes([["firstName"], ["A"]]), XLSX, "email column"),
    "two email columns": (
        lambda: csv_bytes([["email", "emailAddress"], ["a@example.com", "b@example.com"]]),
        "text/csv",
        "more than one",
    ),
    "unknown field column": (
        lambda: csv_bytes([["email", "shoeSize"], ["a@example.com", "42"]]),
        "text/csv",
        "shoeSize",
    ),
    "unnamed column": (
        lambda: csv_bytes([["email", "", "firstName"], ["a@example.com", "x", "A"]]),
        "text/csv",
        "no name",
    ),
    "unclosed quote": (lambda: b'email,firstName\r\na@example.com,"Ann\r\n', "text/csv", "malformed"),
}


@pytest.mark.parametrize("case", LIAR_CASES)
def test_unreadable_file_is_refused_with_invalid_import_file(api, list_id, case):
    build, content_type, detail = LIAR_CASES[case]
    refused(post_import(api, list_id, build(), content_type), detail=detail)


@pytest.mark.parametrize("case", ["truncated xlsx", "zip bomb", "latin-1 csv", "unknown field column"])
def test_unreadable_file_in_a_form_is_refused_too(api, list_id, case):
    build, content_type, detail = LIAR_CASES[case]
    refused(post_multipart(api, list_id, {"file": upload("upload.bin", build(), content_type)}), detail=detail)


def test_expanded_size_limit_is_enforced(api, list_id, settings):
    """A workbook whose members add up to more than IMPORT_MAX_UNCOMPRESSED_BYTES, at any ratio."""
    data = xlsx_bytes(GOOD)
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = sum(m.file_size for m in zipfile.ZipFile(io.BytesIO(data)).infolist()) - 1
    refused(post_import(api, list_id, data, XLSX), detail="zip bomb")
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES += 1
    assert post_import(api, list_id, data, XLSX).status_code == 202


@pytest.mark.parametrize(
    "content_type, build",
    [
        ("text/csv", csv_bytes),
        (XLSX, xlsx_bytes),
        (XLS, xls_bytes),
        ("application/json", lambda rows: json_body([row for row in rows if row[0]])),
    ],
)
def test_more_rows_than_the_limit_are_refused(api, list_id, settings, content_type, build):
    settings.IMPORT_MAX_ROWS = 5
    rows = [["email"], *[[f"s{i}@example.com"] for i in range(6)]]
    refused(post_import(api, list_id, build(rows), content_type), detail="maximum is 5")
    # Five rows are fine, and blank rows are no rows.
    response = post_import(api, list_id, build([*rows[:-1], [""], [""]]), content_type)
    assert response.status_code == 202, response.content


def test_more_columns_than_the_limit_are_refused(api, list_id, settings):
    settings.IMPORT_MAX_COLUMNS = 3
    header = ["email", "firstName", "lastName", "country"]  # all known fields: only the count is wrong
    refused(
        post_import(api, list_id, csv_bytes([header, ["a@example.com", "A", "B", "ES"]]), "text/csv"),
        detail="4 columns",
    )
    refused(
        post_import(api, list_id, xlsx_bytes([header, ["a@example.com", "A", "B", "ES"]]), XLSX), detail="4 columns"
    )
    ok = post_import(api, list_id, csv_bytes([header[:3], ["a@example.com", "A", "B"]]), "text/csv")
    assert ok.status_code == 202


def test_body_larger_than_the_limit_is_413(api, list_id, settings):
    settings.MAX_REQUEST_BODY_BYTES = 2048
    data = csv_bytes([["email"], *[[f"subscriber{i}@example.com"] for i in range(200)]])
    assert len(data) > 2048
    refused(post_import(api, list_id, data, "text/csv"), 413, "/errors/413.1-payload-too-large", 1)
    refused(
        post_multipart(api, list_id, {"file": upload("a.csv", data, "text/csv")}),
        413,
        "/errors/413.1-payload-too-large",
        1,
    )


# application/x-www-form-urlencoded is the received Blueprint's HTML form: see test_import_formats.py.
@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "multipart/mixed"])
def test_unsupported_content_type_is_415(api, list_id, content_type):
    refused(
        post_import(api, list_id, b"email\r\na@example.com\r\n", content_type),
        415,
        "/errors/415.1-unsupported-media-type",
        1,
    )


def test_unsupported_file_in_a_form_is_415(api, list_id):
    refused(
        post_multipart(api, list_id, {"file": upload("photo.png", b"\x89PNG....", "image/png")}),
        415,
        "/errors/415.1-unsupported-media-type",
        1,
    )


@pytest.mark.parametrize("body", [b"{not json", b'{"items": [', b"\xff\xfe\x00garbage"])
def test_malformed_json_is_400_1(api, list_id, body):
    refused(post_import(api, list_id, body, "application/json"), 400, "/errors/400.1-invalid-json", 1)


@pytest.mark.parametrize(
    "body", [{}, {"item": []}, {"items": {"emailAddress": "a@example.com"}}, [], {"items": [], "callback": 12}]
)
def test_json_without_an_items_array_is_400_40(api, list_id, body):
    refused(post_import(api, list_id, body, "application/json"))


def test_unknown_list_is_404(api, list_id):
    refused(post_import(api, list_id + 1000, csv_bytes(GOOD), "text/csv"), 404, "/errors/404.1-not-found", 1)


def test_another_accounts_list(api, client_for, other):
    their_list = create_list(client_for(other), "Theirs")
    # Through their URL: the key does not give access to that account.
    response = api.request("POST", TaskPaths(other).import_(their_list), csv_bytes(GOOD), content_type="text/csv")
    refused(response, 403, "/errors/403.1-forbidden-wrong-account", 1)
    # Through our URL: the list is not ours.
    refused(post_import(api, their_list, csv_bytes(GOOD), "text/csv"), 404, "/errors/404.1-not-found", 1)


def test_no_key_is_401(anon, api, list_id):
    response = anon.request("POST", TaskPaths(api.owner).import_(list_id), csv_bytes(GOOD), content_type="text/csv")
    refused(response, 401, type_=None, error_code=None)
