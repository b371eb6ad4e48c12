"""Tiny xlsx and ods writers for test fixtures.

python-calamine only reads spreadsheets, and the product never writes them, so the
tests build the files by hand: both formats are zipped XML. Only what the reading
tests need is supported: text, numbers, booleans, dates stored the way each office
suite stores them, and empty cells.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class RawSerial:
    """A number written without a date format, as when a date column lost its format."""

    value: float


SheetCell = str | int | float | bool | dt.date | RawSerial | None
Rows = Sequence[Sequence[SheetCell]]


def _store(archive: zipfile.ZipFile, name: str, content: str, *, compress: bool = True) -> None:
    # A fixed timestamp keeps regenerated fixtures byte for byte the same.
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    archive.writestr(info, content)


_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def excel_serial(value: dt.date) -> float:
    moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
    delta = moment - _EXCEL_EPOCH
    return delta.days + delta.seconds / 86400


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _xlsx_cell(ref: str, value: SheetCell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, RawSerial):
        return f'<c r="{ref}"><v>{value.value!r}</v></c>'
    if isinstance(value, dt.datetime):
        return f'<c r="{ref}" s="2"><v>{excel_serial(value)!r}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="1"><v>{excel_serial(value)!r}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    text = escape(value)
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


_XLSX_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy hh:mm"/></numFmts>
<fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders>
<cellStyleXfs count="1"><xf/></cellStyleXfs>
<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/>
<xf numFmtId="164" applyNumberFormat="1"/></cellXfs>
</styleSheet>"""

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/styles.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
{sheets}
</Types>"""
_ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="xl/workbook.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>
</Relationships>"""
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _sheet_xml(rows: Rows) -> str:
    xml_rows = []
    for row_index, row in enumerate(rows, start=1):
        cells = "".join(
            _xlsx_cell(f"{_column_letter(col)}{row_index}", value) for col, value in enumerate(row)
        )
        xml_rows.append(f'<row r="{row_index}">{cells}</row>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(xml_rows)}</sheetData></worksheet>"
    )


def write_xlsx(
    path: Path, rows: Rows, *, sheet: str = "Export", before: Mapping[str, Rows] | None = None
) -> Path:
    """Write a workbook whose sheet ``sheet`` holds ``rows``, after the sheets ``before``.

    Dates get Excel's short date style (numFmtId 14), datetimes a custom date-time format.
    """
    sheets = {**(before or {}), sheet: rows}
    overrides, relationships, entries = [], [], []
    for number, name in enumerate(sheets, start=1):
        overrides.append(
            f'<Override PartName="/xl/worksheets/sheet{number}.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        )
        relationships.append(
            f'<Relationship Id="rId{number}" Target="worksheets/sheet{number}.xml" '
            f'Type="{_RELATIONSHIPS}/worksheet"/>'
        )
        entries.append(f'<sheet name="{escape(name)}" sheetId="{number}" r:id="rId{number}"/>')
    relationships.append(
        f'<Relationship Id="rId{len(sheets) + 1}" Target="styles.xml" Type="{_RELATIONSHIPS}/styles"/>'
    )
    workbook_xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'xmlns:r="{_RELATIONSHIPS}"><sheets>{"".join(entries)}</sheets></workbook>'
    )
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{''.join(relationships)}</Relationships>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        _store(archive, "[Content_Types].xml", _CONTENT_TYPES.format(sheets="\n".join(overrides)))
        _store(archive, "_rels/.rels", _ROOT_RELS)
        _store(archive, "xl/workbook.xml", workbook_xml)
        _store(archive, "xl/_rels/workbook.xml.rels", workbook_rels)
        _store(archive, "xl/styles.xml", _XLSX_STYLES)
        for number, sheet_rows in enumerate(sheets.values(), start=1):
            _store(archive, f"xl/worksheets/sheet{number}.xml", _sheet_xml(sheet_rows))
    return path


def _ods_cell(value: SheetCell) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, bool):
        flag = "true" if value else "false"
        return (
            f'<table:table-cell office:value-type="boolean" office:boolean-value="{flag}">'
            f"<text:p>{'VRAI' if value else 'FAUX'}</text:p></table:table-cell>"
        )
    if isinstance(value, RawSerial):
        value = value.value
    if isinstance(value, dt.date):
        iso = value.isoformat()
        shown = value.strftime("%d/%m/%Y")
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{iso}">'
            f"<text:p>{shown}</text:p></table:table-cell>"
        )
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value!r}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    return f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>'


_ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
_ODS_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
 manifest:version="1.2">
<manifest:file-entry manifest:full-path="/"
 manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""


def _ods_table(name: str, rows: Rows) -> str:
    xml_rows = "".join(
        "<table:table-row>" + "".join(_ods_cell(value) for value in row) + "</table:table-row>"
        for row in rows
    )
    return f'<table:table table:name="{escape(name)}">{xml_rows}</table:table>'


def write_ods(
    path: Path, rows: Rows, *, sheet: str = "Export", before: Mapping[str, Rows] | None = None
) -> Path:
    """Write an OpenDocument spreadsheet as LibreOffice stores it (see ``write_xlsx``)."""
    sheets = {**(before or {}), sheet: rows}
    tables = "".join(_ods_table(name, sheet_rows) for name, sheet_rows in sheets.items())
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        # The mimetype entry comes first and uncompressed, as the OpenDocument spec requires.
        _store(archive, "mimetype", _ODS_MIMETYPE, compress=False)
        _store(archive, "META-INF/manifest.xml", _ODS_MANIFEST)
        _store(archive, "content.xml", content)
    return path
