"""What an import would do with a file, worked out before anything is queued (the back office's upload): each
column as the import maps it, the first rows as it reads them (and which of them it would refuse, in the error
report's words), the number of rows, and the problems that refuse the file in the API's words.

Every rule is the import's own: ``sources.prepare`` (the submission's checks), ``columns.header_columns`` (the
header's mapping) and ``reading.validate_rows`` (the row rule). The result is plain JSON, stored with the staged
upload so the preview page reads no file.
"""

import io
import math
from itertools import islice

from django.conf import settings

from imports.columns import header_columns
from imports.problems import InvalidColumns, InvalidSource
from imports.reading import validate_rows
from imports.seen import SeenKeys
from imports.sources import checked, first_records, iter_rows, prepare

PREVIEW_ROWS = 10
CELL_CHARS = 200  # a longer cell is cut in the preview (the import reads it whole)


def import_preview(fmt: str, data: bytes, types: dict[str, str]) -> dict:
    """``types``: the account's fields, name → type. ``problems`` empty means the import would be accepted."""
    try:
        prepared = prepare(fmt, data, set(types))
    except InvalidColumns:
        prepared = None  # the file reads: its columns and rows are shown, each refusing column with its problem
    except InvalidSource as exc:
        return _unread(str(exc))
    if prepared is not None and not checked(fmt, prepared.options):
        return {
            **_unread(None),
            "note": f"This workbook is too big to read before the import is queued (over {settings.IMPORT_CHECK_BYTES}"
            " bytes): its columns and rows are checked when it runs, and a problem then ends the import in error.",
        }
    try:
        header, records = first_records(fmt, data, PREVIEW_ROWS)
        refused = {}
        if prepared is not None:  # the columns map: the first rows as the job reads and validates them
            rows = list(islice(iter_rows(fmt, io.BytesIO(data), prepared.options), PREVIEW_ROWS))
            refused = {number: problem for number, _, problem in validate_rows(rows, types, SeenKeys())[1]}
    except InvalidSource as exc:
        return _unread(str(exc))
    except Exception as exc:  # rows prepare() did not reach (its header refused): openpyxl and xlrd raise many types
        return _unread(f"The {fmt.upper()} workbook is corrupt: {type(exc).__name__}.")
    columns, problems = header_columns(header, set(types))
    width = len(columns)
    return {
        "columns": [
            {
                "number": column.number,
                "name": column.name,
                "email": column.email,
                "field": column.field,
                "type": types.get(column.field) if column.field else None,
                "problem": column.problem,
            }
            for column in columns
        ],
        "rows": [
            {
                "number": number,
                "cells": [_shown(value) for value in (cells + [None] * width)[:width]],
                "refused": refused.get(number),
            }
            for number, cells in records
        ],
        "total": prepared.total if prepared is not None else None,
        "problems": problems,
        "note": None,
    }


def _unread(problem: str | None) -> dict:
    return {"columns": [], "rows": [], "total": None, "problems": [problem] if problem else [], "note": None}


def _shown(value):
    """A cell as JSON can hold it, cut for the page."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    text = str(value)
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1] + "…"
