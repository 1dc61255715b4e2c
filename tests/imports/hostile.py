"""Hostile spreadsheets, built by hand: an XLSX's zip members written one by one, an XLS through xlwt."""

import io
import zipfile

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = f'<workbook {NS} xmlns:r="{_REL}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
_WORKBOOK_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def row(number: int, *cells: str) -> str:
    return f'<row r="{number}">{"".join(cells)}</row>'


HEADER = row(1, cell("A1", "email"))


def xlsx(
    rows: str,
    *,
    dimension: str = "A1",
    strings: str | None = None,
    prolog: str = "",
    types: str = _TYPES,
    extra: dict[str, str] | None = None,
) -> bytes:
    """A workbook whose first sheet holds ``rows`` (``<row>`` elements) and declares ``dimension``."""
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet {NS}>'
        f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
    )
    strings = strings or f'<sst {NS} count="0" uniqueCount="0"/>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        archive.writestr("xl/sharedStrings.xml", strings)
        for name, text in (extra or {}).items():
            archive.writestr(name, text)
    return buffer.getvalue()


def big_types(size: int) -> str:
    """Content types padded with ``Default`` entries to about ``size`` characters."""
    padding = "".join(f'<Default Extension="x{i}" ContentType="application/x-{i}"/>' for i in range(size // 50))
    return _TYPES.replace("</Types>", padding + "</Types>")


def shared_strings(count: int) -> str:
    """``count`` tiny shared strings: a part that compresses about 100:1 and costs ~150 bytes each once loaded."""
    items = "".join(f"<si><t>s{i % 1000}</t></si>" for i in range(count))
    return f'<sst {NS} count="{count}" uniqueCount="{count}">{items}</sst>'


def xls(cells: dict[tuple[int, int], object]) -> bytes:
    import xlwt

    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("S")
    for (r, c), value in cells.items():
        sheet.write(r, c, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
