"""XLSX and XLS read in work bounded by what the file holds, not by what it declares.

openpyxl pads every row to a sheet's declared dimensions (``A1:XFD1048576`` is 1.6 KB of XML) and
xlrd every row to the widest one; a row number far down the sheet makes every row above it. Here the
declared dimensions are ignored, rows are cut to the header's width, every row produced counts (empty
ones too), and the parts openpyxl loads whole (the shared strings) are capped.
"""

import io
import zipfile
from collections.abc import Iterator, Sequence

from django.conf import settings

from imports.problems import InvalidSource

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_ZIP_RATIO = 200
# What openpyxl loads whole when it opens a workbook read-only (besides the shared strings): the workbook, its
# styles and theme, the document properties and the relationships. The sheets are read row by row; pictures,
# comments, pivot caches and the calculation chain are not read at all.
LOADED_WHOLE = ("xl/workbook.xml", "xl/styles.xml", "xl/theme/", "docProps/")
# A workbook's content types list its parts: a few KB; parsed before the 202, so kept small.
CONTENT_TYPES_MAX_BYTES = 256 * 1024
# The last row a sheet can have: past it (and past IMPORT_MAX_ROWS) even empty rows stop the reading.
LAST_ROW = {"xlsx": 1_048_576, "xls": 65_536}


def has_data(record: Sequence) -> bool:
    if record.count(None) == len(record):  # the padding of empty rows, at C speed
        return False
    return any(cell not in (None, "") and str(cell).strip() for cell in record)


def header_names(header: Sequence) -> list[str]:
    names = ["" if cell is None else str(cell).strip() for cell in header]
    while names and names[-1] == "":
        names.pop()
    return names


def xlsx_expanded_size(data: bytes) -> int:
    """Check the archive without reading a sheet: magic, zip directory, bomb ratio, caps. Its expanded size."""
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
    strings_part = _shared_strings_part(archive)
    strings = archive.getinfo(strings_part).file_size if strings_part else 0
    others = sum(
        member.file_size
        for member in members
        if member.filename.startswith(LOADED_WHOLE) or member.filename.endswith(".rels")
    )
    if others > settings.IMPORT_MAX_OTHER_PARTS_BYTES:
        raise InvalidSource(
            f"The XLSX workbook's parts other than its sheets and shared strings (styles, workbook, properties) "
            f"expand to {others} bytes; the maximum is {settings.IMPORT_MAX_OTHER_PARTS_BYTES}. Import it as CSV."
        )
    if strings > settings.IMPORT_MAX_SHARED_STRINGS_BYTES:
        raise InvalidSource(
            f"The XLSX workbook's shared strings expand to {strings} bytes; the maximum is "
            f"{settings.IMPORT_MAX_SHARED_STRINGS_BYTES}. Import it as CSV."
        )
    return expanded


def _shared_strings_part(archive: zipfile.ZipFile) -> str | None:
    """The name of the part openpyxl loads whole before any row, found as openpyxl finds it (the content
    types, read only when small: parsing them is the request's work)."""
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.xml.constants import ARC_CONTENT_TYPES, SHARED_STRINGS
    from openpyxl.xml.functions import fromstring

    try:
        size = archive.getinfo(ARC_CONTENT_TYPES).file_size
    except KeyError:
        raise InvalidSource("The XLSX workbook is corrupt: it has no content types.") from None
    if size > CONTENT_TYPES_MAX_BYTES:
        raise InvalidSource(
            f"The XLSX workbook's content types take {size} bytes; the maximum is {CONTENT_TYPES_MAX_BYTES}."
        )
    try:
        part = Manifest.from_tree(fromstring(archive.read(ARC_CONTENT_TYPES))).find(SHARED_STRINGS)
        if part is None:
            return None
        name = part.PartName.lstrip("/")
        archive.getinfo(name)
        return name
    except Exception as exc:  # a missing or unreadable part, an XML error or a refused DTD
        raise InvalidSource(f"The XLSX workbook is corrupt: {type(exc).__name__}.") from None


def sheet_rows(fmt: str, source) -> Iterator[Sequence]:
    """The first sheet's header row, then its rows cut to the header's width, empty ones included.

    A row with data past row IMPORT_MAX_ROWS + 1 is refused, and so is a sheet that runs on (empty rows
    too) past IMPORT_MAX_ROWS or its format's last row, whichever is more.
    """
    rows = _xlsx_rows(source) if fmt == "xlsx" else _xls_rows(source)
    limit = settings.IMPORT_MAX_ROWS
    for produced, record in enumerate(rows):  # 0 is the header
        if produced > limit and (produced > LAST_ROW[fmt] or has_data(record)):
            shown = max(limit, LAST_ROW[fmt]) if produced > LAST_ROW[fmt] else limit
            raise InvalidSource(f"The sheet has more than {shown} rows (empty rows count); the maximum is {limit}.")
        yield record


def _width(header: Sequence) -> int:
    # Columns past the header's last name are never read; past IMPORT_MAX_COLUMNS the header is refused.
    return max(1, min(len(header_names(header)), settings.IMPORT_MAX_COLUMNS + 1))


def _xlsx_rows(source) -> Iterator[Sequence]:
    import openpyxl

    if not openpyxl.DEFUSEDXML:  # without it a DTD in a part would be expanded (entity bombs)
        raise RuntimeError("openpyxl must parse with defusedxml: install it, and leave OPENPYXL_DEFUSEDXML unset.")
    source = io.BytesIO(source) if isinstance(source, bytes) else source
    workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # what the sheet declares is not what it holds
        header = next(sheet.iter_rows(max_row=1, values_only=True), ())
        yield header
        yield from sheet.iter_rows(min_row=2, max_col=_width(header), values_only=True)
    finally:
        workbook.close()


def _xls_rows(source) -> Iterator[Sequence]:
    import xlrd

    data = source if isinstance(source, bytes) else source.read()
    book = xlrd.open_workbook(file_contents=data, on_demand=True, ragged_rows=True)
    sheet = book.sheet_by_index(0)
    width = None
    for index in range(sheet.nrows):
        if not sheet.row_len(index):  # ragged: a row with no cells costs nothing
            yield ()
            continue
        row = []
        for ctype, value in zip(sheet.row_types(index, 0, width), sheet.row_values(index, 0, width), strict=True):
            if ctype == xlrd.XL_CELL_DATE:
                row.append(xlrd.xldate.xldate_as_datetime(value, book.datemode))
            elif ctype == xlrd.XL_CELL_BOOLEAN:
                row.append(bool(value))
            elif ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                row.append(None)
            else:
                row.append(value)
        if width is None:
            width = _width(row)
        yield tuple(row)
