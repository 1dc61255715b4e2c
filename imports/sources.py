"""Import payloads: checked when submitted, stored in pieces, read back row by row by a worker.

Supported: CSV (UTF-8 with or without BOM, comma or semicolon), XLSX, XLS and a JSON
``items`` array. A file is checked before the 202: it must be what its content type
says, decode, not be a zip bomb, name an email column and respect the row and column
limits. Row-level problems (a bad address, a bad value) are not fatal: the worker
reports them in the task's errors.
"""

import csv
import datetime
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings

CONTENT_TYPES = {
    "text/csv": "csv",
    "application/csv": "csv",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/json": "json",
}
EXTENSIONS = {".csv": "csv", ".xls": "xls", ".xlsx": "xlsx", ".json": "json"}
EMAIL_COLUMNS = {"email", "emailaddress", "email address", "e-mail"}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_ZIP_RATIO = 200


class InvalidSource(ValueError):
    """The payload cannot be imported; the message says why, for a 400."""


@dataclass
class Row:
    number: int  # as a spreadsheet shows it (header = 1), or the 1-based position of a JSON item
    email: object
    fields: dict = field(default_factory=dict)  # raw values by field name; JSON items may carry errors
    problem: str | None = None


@dataclass
class Prepared:
    format: str
    data: bytes
    total: int
    options: dict


# ---------------------------------------------------------------- checking a submission


def prepare(fmt: str, data: bytes, known_fields: set[str]) -> Prepared:
    if not data:
        raise InvalidSource("The file is empty.")
    checker = {"csv": _prepare_csv, "xlsx": _prepare_xlsx, "xls": _prepare_xls}[fmt]
    return checker(data, known_fields)


def _columns(header: list, known_fields: set[str]) -> dict:
    names = ["" if cell is None else str(cell).strip() for cell in header]
    while names and names[-1] == "":
        names.pop()
    if len(names) > settings.IMPORT_MAX_COLUMNS:
        raise InvalidSource(f"The file has {len(names)} columns; the maximum is {settings.IMPORT_MAX_COLUMNS}.")
    emails = [i for i, name in enumerate(names) if name.lower() in EMAIL_COLUMNS]
    if not emails:
        raise InvalidSource("The first row must name the email column ('email' or 'emailAddress').")
    if len(emails) > 1:
        raise InvalidSource("The first row names more than one email column.")
    fields = {}
    for index, name in enumerate(names):
        if index == emails[0]:
            continue
        if not name:
            raise InvalidSource(f"Column {index + 1} has no name in the first row.")
        if name not in known_fields:
            raise InvalidSource(
                f"Column '{name}' is not a field of the account; create the field first or remove the column."
            )
        if name in fields.values():
            raise InvalidSource(f"Column '{name}' appears twice.")
        fields[index] = name
    return {"email_column": emails[0], "fields": {str(i): n for i, n in fields.items()}}


def _check_rows(total: int) -> int:
    if total > settings.IMPORT_MAX_ROWS:
        raise InvalidSource(f"The file has {total} rows; the maximum is {settings.IMPORT_MAX_ROWS}.")
    return total


def _decode(data: bytes) -> str:
    if data.startswith((ZIP_MAGIC, OLE_MAGIC)):
        raise InvalidSource("The file is a spreadsheet, not CSV text; send it with its Excel content type.")
    if b"\x00" in data:
        raise InvalidSource("The file is not text (it contains NUL bytes).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidSource(
            f"The file is not UTF-8 text (undecodable byte at line {line}); save it as CSV UTF-8."
        ) from None


def _delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _prepare_csv(data: bytes, known_fields: set[str]) -> Prepared:
    text = _decode(data)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise InvalidSource("The file is empty.")
        options = {**_columns(header, known_fields), "delimiter": delimiter}
        total = sum(1 for record in reader if _has_data(record))
    except csv.Error as exc:
        raise InvalidSource(f"The CSV is malformed at line {reader.line_num}: {exc}.") from None
    return Prepared("csv", data, _check_rows(total), options)


def _prepare_xlsx(data: bytes, known_fields: set[str]) -> Prepared:
    if not data.startswith(ZIP_MAGIC):
        raise InvalidSource("The file is not an XLSX workbook.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise InvalidSource("The XLSX workbook is corrupt (not a readable zip archive).") from None
    expanded = sum(member.file_size for member in members)
    if expanded > settings.IMPORT_MAX_UNCOMPRESSED_BYTES or any(
        member.compress_size and member.file_size / member.compress_size > MAX_ZIP_RATIO for member in members
    ):
        raise InvalidSource("The XLSX workbook expands to far more than its size (a zip bomb?); refused.")
    if "xl/workbook.xml" not in archive.namelist():
        raise InvalidSource("The file is a zip archive but not an XLSX workbook.")
    return _prepare_workbook("xlsx", data, _xlsx_rows, known_fields)


def _prepare_xls(data: bytes, known_fields: set[str]) -> Prepared:
    if not data.startswith(OLE_MAGIC):
        raise InvalidSource("The file is not a legacy Excel (XLS) workbook.")
    return _prepare_workbook("xls", data, _xls_rows, known_fields)


def _prepare_workbook(fmt: str, data: bytes, read_rows, known_fields: set[str]) -> Prepared:
    try:
        rows = read_rows(data)
        header = next(rows, None)
        if header is None:
            raise InvalidSource("The workbook's first sheet is empty.")
        options = _columns(list(header), known_fields)
        total = sum(1 for record in rows if _has_data(record))
    except InvalidSource:
        raise
    except Exception as exc:  # openpyxl and xlrd raise many types on a corrupt workbook
        raise InvalidSource(f"The {fmt.upper()} workbook is corrupt: {type(exc).__name__}.") from None
    return Prepared(fmt, data, _check_rows(total), options)


def prepare_json(payload) -> tuple[Prepared, str | None]:
    """A parsed JSON body → the stored form (its items) and the callback URL."""
    if not isinstance(payload, dict) or not isinstance(payload.get("items"), list):
        raise InvalidSource("The JSON body must be an object with an 'items' array.")
    callback = payload.get("callback")
    if callback is not None and not isinstance(callback, str):
        raise InvalidSource("'callback' must be a URL string.")
    items = payload["items"]
    data = json.dumps(items, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Prepared("json", data, _check_rows(len(items)), {}), callback


# ---------------------------------------------------------------- reading rows back


def _has_data(record) -> bool:
    return any(cell not in (None, "") and str(cell).strip() for cell in record)


def _cell(value):
    """A spreadsheet cell as the value a field type understands."""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value


def _xlsx_rows(source) -> Iterator[tuple]:
    import openpyxl

    source = io.BytesIO(source) if isinstance(source, bytes) else source
    workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    try:
        yield from workbook.worksheets[0].iter_rows(values_only=True)
    finally:
        workbook.close()


def _xls_rows(source) -> Iterator[list]:
    import xlrd

    data = source if isinstance(source, bytes) else source.read()
    book = xlrd.open_workbook(file_contents=data, on_demand=True)
    sheet = book.sheet_by_index(0)
    for index in range(sheet.nrows):
        row = []
        for cell in sheet.row(index):
            if cell.ctype == xlrd.XL_CELL_DATE:
                row.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
            elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                row.append(bool(cell.value))
            else:
                row.append(cell.value)
        yield row


def _records(fmt: str, source, options: dict) -> Iterator[list]:
    if fmt == "csv":
        text = io.TextIOWrapper(source, encoding="utf-8-sig", newline="")
        return csv.reader(text, delimiter=options["delimiter"])
    return _xlsx_rows(source) if fmt == "xlsx" else _xls_rows(source)


def iter_rows(fmt: str, source, options: dict, *, start: int = 0) -> Iterator[Row]:
    """The rows that carry data, from the ``start``-th one (the task's checkpoint).

    ``source`` is a binary file object: read as a stream for CSV, seekable for the others.
    """
    if fmt == "json":
        yield from _json_rows(source.read(), start)
        return
    email_column = options["email_column"]
    fields = {int(index): name for index, name in options["fields"].items()}
    records = _records(fmt, source, options)
    next(records, None)  # header
    seen = 0
    for number, record in enumerate(records, start=2):
        if not _has_data(record):
            continue
        seen += 1
        if seen <= start:
            continue
        record = list(record)
        email = record[email_column] if email_column < len(record) else ""
        values = {
            name: _cell(record[index])
            for index, name in fields.items()
            if index < len(record) and record[index] not in (None, "")
        }
        yield Row(number, _cell(email), {k: v for k, v in values.items() if v != ""})


def _json_rows(data: bytes, start: int) -> Iterator[Row]:
    for number, item in enumerate(json.loads(data), start=1):
        if number <= start:
            continue
        if not isinstance(item, dict):
            yield Row(number, "", problem="the item must be an object with emailAddress and fields")
            continue
        entries = item.get("fields") or []
        if not isinstance(entries, list) or not all(
            isinstance(e, dict) and isinstance(e.get("fieldName"), str) for e in entries
        ):
            yield Row(number, item.get("emailAddress", ""), problem="fields must be a list of {fieldName, value}")
            continue
        values = {e["fieldName"]: e.get("value") for e in entries if e.get("value") not in (None, "")}
        yield Row(number, item.get("emailAddress", ""), values)
