"""Import payloads: checked when submitted, stored in pieces, read back row by row by a worker.

Supported: CSV (UTF-8 with or without BOM, comma or semicolon), XLSX, XLS and a JSON
``items`` array. A file is checked before the 202 as far as bounded time allows: it must be
what its content type says, decode, not be a zip bomb, name an email column and respect the
row and column limits. A spreadsheet too big to read within IMPORT_CHECK_BYTES (or
CHECK_ROWS rows) gets only the cheap checks; the job reads it whole first, and a bad one
ends the task in error. Row-level problems (a bad address, a bad value) are not fatal: the
worker reports them in the task's errors.
"""

import csv
import datetime
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings

from imports.columns import header_columns
from imports.problems import InvalidColumns, InvalidSource
from imports.spreadsheets import OLE_MAGIC, ZIP_MAGIC, has_data, sheet_rows, xlsx_expanded_size

CONTENT_TYPES = {
    "text/csv": "csv",
    "application/csv": "csv",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/json": "json",
}
EXTENSIONS = {".csv": "csv", ".xls": "xls", ".xlsx": "xlsx", ".json": "json"}
# Rows (empty ones too) the request reads of a spreadsheet at most; past them the job checks the rest.
CHECK_ROWS = 50_000
SPREADSHEETS = ("xlsx", "xls")


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
    columns, problems = header_columns(header, known_fields)
    if problems:
        raise InvalidColumns(problems[0])
    email = next(column for column in columns if column.email)
    return {
        "email_column": email.number - 1,
        "fields": {str(column.number - 1): column.field for column in columns if column.field},
    }


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
        total = sum(1 for record in reader if has_data(record))
    except csv.Error as exc:
        raise InvalidSource(f"The CSV is malformed at line {reader.line_num}: {exc}.") from None
    return Prepared("csv", data, _check_rows(total), options)


def _prepare_xlsx(data: bytes, known_fields: set[str]) -> Prepared:
    if xlsx_expanded_size(data) > settings.IMPORT_CHECK_BYTES:
        return Prepared("xlsx", data, 0, {})  # checked by the job (checked() is False)
    return _prepare_workbook("xlsx", data, known_fields, budget=CHECK_ROWS)


def _prepare_xls(data: bytes, known_fields: set[str]) -> Prepared:
    if not data.startswith(OLE_MAGIC):
        raise InvalidSource("The file is not a legacy Excel (XLS) workbook.")
    if len(data) > settings.IMPORT_CHECK_BYTES:
        return Prepared("xls", data, 0, {})
    return _prepare_workbook("xls", data, known_fields, budget=CHECK_ROWS)


class _OverBudget(Exception):
    pass


def _prepare_workbook(fmt: str, source, known_fields: set[str], *, budget: int | None) -> Prepared:
    """Read the whole sheet (header, limits, the exact total), or, past ``budget`` rows, leave it to the job."""
    data = source if isinstance(source, bytes) else b""
    try:
        rows = sheet_rows(fmt, source)
        header = next(rows, None)
        if header is None:
            raise InvalidSource("The workbook's first sheet is empty.")
        options = _columns(list(header), known_fields)
        total = 0
        for produced, record in enumerate(rows, start=1):
            if budget is not None and produced > budget:
                raise _OverBudget
            total += has_data(record)
    except _OverBudget:
        return Prepared(fmt, data, 0, {})
    except InvalidSource:
        raise
    except Exception as exc:  # openpyxl and xlrd raise many types on a corrupt workbook
        raise InvalidSource(f"The {fmt.upper()} workbook is corrupt: {type(exc).__name__}.") from None
    return Prepared(fmt, data, _check_rows(total), options)


def checked(fmt: str, options: dict) -> bool:
    """False for a spreadsheet whose reading was left to the job (too big to read before the 202)."""
    return fmt not in SPREADSHEETS or "email_column" in options


def check_whole(fmt: str, source, known_fields: set[str]) -> Prepared:
    """In the job: every check of a spreadsheet the request could not read whole. ``source`` is seekable."""
    return _prepare_workbook(fmt, source, known_fields, budget=None)


def prepare_json(payload) -> tuple[Prepared, str | None]:
    """A parsed JSON body → the stored form (its items) and the callback URL."""
    if not isinstance(payload, dict) or not isinstance(payload.get("items"), list):
        raise InvalidSource("The JSON body must be an object with an 'items' array.")
    callback = payload.get("callback")
    if callback is not None and not isinstance(callback, str):
        raise InvalidSource("'callback' must be a URL string.")
    double_opt_in = payload.get("doubleOptIn", False)
    if not isinstance(double_opt_in, bool):
        raise InvalidSource("'doubleOptIn' must be true or false.")
    items = payload["items"]
    data = json.dumps(items, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    options = {"doubleOptIn": True} if double_opt_in else {}
    return Prepared("json", data, _check_rows(len(items)), options), callback


# ---------------------------------------------------------------- reading rows back


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


def _records(fmt: str, source, options: dict) -> Iterator[list]:
    if fmt == "csv":
        text = io.TextIOWrapper(source, encoding="utf-8-sig", newline="")
        return csv.reader(text, delimiter=options["delimiter"])
    return sheet_rows(fmt, source)


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
    if fmt == "csv":
        yield from _csv_rows(records, email_column, fields, start)
        return
    seen = 0
    for number, record in enumerate(records, start=2):
        if not has_data(record):
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


def _csv_rows(records, email_column: int, fields: dict, start: int) -> Iterator[Row]:
    """``iter_rows`` for CSV, whose cells are all strings: the same rows, with the per-cell checks a
    spreadsheet's cells need left out (a million rows pass here)."""
    seen = 0
    width = max([email_column, *fields]) + 1
    for number, record in enumerate(records, start=2):
        if not "".join(record).strip():  # no cell with data
            continue
        seen += 1
        if seen <= start:
            continue
        if len(record) < width:
            record = record + [""] * (width - len(record))
        values = {}
        for index, name in fields.items():
            value = record[index].strip()
            if value:
                values[name] = value
        yield Row(number, record[email_column].strip(), values)


def first_records(fmt: str, data: bytes, limit: int) -> tuple[list, list[tuple[int, list]]]:
    """The header's cells and the first ``limit`` rows with data (numbered as ``iter_rows`` numbers them), every
    cell as the import reads it, whatever the header maps. Only for a file ``prepare`` read (a CSV that decodes, a
    workbook it opened): the back office's preview."""
    header_line = data.split(b"\n", 1)[0].decode("utf-8-sig") if fmt == "csv" else ""
    records = _records(fmt, io.BytesIO(data), {"delimiter": _delimiter(header_line)})
    try:
        header = list(next(records, None) or [])
        rows = []
        for number, record in enumerate(records, start=2):
            if has_data(record):
                rows.append((number, [_cell(value) for value in record]))
                if len(rows) == limit:
                    break
    finally:
        if hasattr(records, "close"):  # a workbook's reader closes the workbook
            records.close()
    return header, rows


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
