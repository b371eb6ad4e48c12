"""Workbooks made to kill or exhaust a reader, generated for the tests (none is committed).

Each is a few kilobytes: what makes it dangerous is what it declares (a cell reference, a row
number, a repetition, a count of texts, a zip directory), not what it holds.
"""

from __future__ import annotations

import struct
import tempfile
import zipfile
from pathlib import Path

from .spreadsheet_files import write_ods, write_xlsx

_SHEET_PART = "xl/worksheets/sheet1.xml"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def sheet_xml(rows: str, *, before: str = "") -> str:
    """A worksheet whose <sheetData> holds ``rows`` (raw XML)."""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{_MAIN}">'
        f"{before}<sheetData>{rows}</sheetData></worksheet>"
    )


def xlsx_with(path: Path, sheet: str, extra: dict[str, str] | None = None) -> Path:
    """A valid workbook whose first sheet's XML is ``sheet``, with ``extra`` parts added."""
    write_xlsx(path, [["x"]])
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts:
            target.writestr(info, sheet.encode() if info.filename == _SHEET_PART else data)
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return path


def cell(ref: str, value: int = 1) -> str:
    return f'<c r="{ref}"><v>{value}</v></c>'


def corner_xlsx(path: Path) -> Path:
    """The reported file: a cell at A1 and one at XFD1048576, 512 GiB to calamine."""
    rows = f'<row r="1">{cell("A1")}</row><row r="1048576">{cell("XFD1048576")}</row>'
    return xlsx_with(path, sheet_xml(rows))


def formatted_far_xlsx(path: Path) -> Path:
    """A header and a row of data, and a cell formatted (empty) at XFD1048576, as a user may leave."""
    header = '<c r="A1" t="inlineStr"><is><t>Nom</t></is></c>'
    data = '<c r="A2" t="inlineStr"><is><t>Durand</t></is></c>'
    far = '<row r="1048576"><c r="XFD1048576" s="1"/></row>'
    return xlsx_with(path, sheet_xml(f'<row r="1">{header}</row><row r="2">{data}</row>{far}'))


def tall_xlsx(path: Path, row: int = 99_999_999) -> Path:
    """One column, a header at row 1 and a cell far below any sheet's last row."""
    rows = f'<row r="1">{cell("A1")}</row><row r="{row}">{cell(f"A{row}")}</row>'
    return xlsx_with(path, sheet_xml(rows))


def far_column_xlsx(path: Path) -> Path:
    """A cell in column ZZZZZZ, beyond Excel's last column."""
    return xlsx_with(path, sheet_xml(f'<row r="1">{cell("A1")}{cell("ZZZZZZ1")}</row>'))


def unreferenced_cells_xlsx(path: Path, width: int = 600) -> Path:
    """A first row of cells written without references (each takes the next column) and one far row."""
    first = "".join("<c><v>1</v></c>" for _ in range(width))
    return xlsx_with(path, sheet_xml(f'<row r="1">{first}</row><row r="900000"><c><v>2</v></c></row>'))


def shared_strings_xlsx(path: Path, declared: int = 4_000_000_000) -> Path:
    """A workbook declaring four billion different texts: calamine reserves room for them first."""
    head = f'<?xml version="1.0"?><sst xmlns="{_MAIN}" count="1" uniqueCount="{declared}">'
    strings = f"{head}<si><t>a</t></si></sst>"
    return xlsx_with(path, sheet_xml(f'<row r="1">{cell("A1")}</row>'), {"xl/sharedStrings.xml": strings})


def sparse_block_xlsx(path: Path, *, rows: int, columns: str = "Z") -> Path:
    """Two cells, at A1 and at the far corner ``{columns}{rows}``: a block of rows × columns cells."""
    return xlsx_with(
        path, sheet_xml(f'<row r="1">{cell("A1")}</row><row r="{rows}">{cell(f"{columns}{rows}")}</row>')
    )


_ODS_CELL = (
    '<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'
)


def ods_with(path: Path, table: str) -> Path:
    """A valid ods file whose content holds ``table`` (raw XML of one <table:table>)."""
    write_ods(path, [["x"]])
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w") as target:
        for info, data in parts:
            content = data
            if info.filename == "content.xml":
                text = data.decode()
                start, end = text.index("<table:table "), text.index("</table:table>") + len("</table:table>")
                content = (text[:start] + table + text[end:]).encode()
            stored = info.filename == "mimetype"
            target.writestr(info, content, zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    return path


def repeated_rows_ods(path: Path, times: int = 2_000_000) -> Path:
    """A header, then one filled row repeated two million times."""
    return ods_with(
        path,
        f'<table:table table:name="Feuille1"><table:table-row>{_ODS_CELL}</table:table-row>'
        f'<table:table-row table:number-rows-repeated="{times}">{_ODS_CELL}</table:table-row></table:table>',
    )


def repeated_cells_ods(path: Path) -> Path:
    """A filled cell repeated across every column of a million rows (17 billion cells)."""
    filled = (
        '<table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"/>'
    )
    return ods_with(
        path,
        f'<table:table table:name="Feuille1"><table:table-row>{_ODS_CELL}</table:table-row>'
        f'<table:table-row table:number-rows-repeated="1048575">{filled}</table:table-row></table:table>',
    )


def padded_ods(path: Path) -> Path:
    """A sheet as LibreOffice pads it: a million empty rows of 16,384 empty cells after the data."""
    empty = '<table:table-cell table:number-columns-repeated="16384"/>'
    return ods_with(
        path,
        f'<table:table table:name="Clients"><table:table-row>'
        f'<table:table-cell office:value-type="string"><text:p>Nom</text:p></table:table-cell>{empty}'
        f"</table:table-row><table:table-row>"
        f'<table:table-cell office:value-type="string"><text:p>Durand</text:p></table:table-cell>{empty}'
        f'</table:table-row><table:table-row table:number-rows-repeated="1048574">{empty}</table:table-row>'
        "</table:table>",
    )


def many_entries_zip(path: Path, entries: int = 70_000) -> Path:
    """A zip whose directory lists more files than any workbook: only its end record is honest."""
    write_xlsx(path, [["Nom"], ["Durand"]])
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, entries & 0xFFFF, entries & 0xFFFF)
    path.write_bytes(bytes(data))
    return path


def lying_size_xlsx(path: Path) -> Path:
    """A sheet whose zip entry declares 100 bytes but unpacks to a hundred times more."""
    rows = "".join(f'<row r="{n}">{cell(f"A{n}")}</row>' for n in range(1, 301))
    xlsx_with(path, sheet_xml(rows))
    data = bytearray(path.read_bytes())
    # The declared size sits at offset 22 of the local header and 24 of the directory entry.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        while at >= 0:
            name_length = struct.unpack_from("<H", data, at + (26 if signature == b"PK\x03\x04" else 28))[0]
            start = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[start : start + name_length] == _SHEET_PART.encode():
                struct.pack_into("<I", data, at + offset, 100)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    return path


def corner_xlsx_bytes() -> bytes:
    """The corner workbook as bytes, for an upload."""
    with tempfile.TemporaryDirectory() as folder:
        return corner_xlsx(Path(folder) / "coins.xlsx").read_bytes()
