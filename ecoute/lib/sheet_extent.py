"""The real extent of a workbook sheet, read from its XML as a stream before anything loads it.

python-calamine holds a sheet as one block of cells from its first filled cell to its last, so a
1.6 KB file with a cell at A1 and one at XFD1048576 asks for 512 GiB. Only cheap passes over the
bytes are made here, with regular expressions on chunks, never an XML tree:

- xlsx: every cell reference (``r="XFD1048576"``, in any attribute order); a cell written without
  one (allowed, rare) takes the next column of its row, so then each row's cells are counted too.
  Empty cells count: the extent may be larger than what calamine keeps, never smaller.
- ods: rows and cells with their ``number-rows-repeated`` and ``number-columns-repeated``; a run of
  empty rows or cells counts only when a filled one comes after it, as LibreOffice pads every
  sheet with a million empty rows that no reader keeps.

Nothing here imports Django.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from operator import methodcaller

from ecoute.lib import table_limits as limits
from ecoute.lib.tabular_errors import TabularError


@dataclass
class Extent:
    """Where a sheet's filled cells lie (1-based, inclusive); empty while ``last_row`` is 0."""

    first_row: int = 0
    last_row: int = 0
    first_column: int = 0
    last_column: int = 0
    has_values: bool = False

    @property
    def rows(self) -> int:
        return self.last_row - self.first_row + 1 if self.last_row else 0

    @property
    def columns(self) -> int:
        return self.last_column - self.first_column + 1 if self.last_column else 0

    def add(self, first_row: int, last_row: int, first_column: int, last_column: int) -> None:
        if not self.last_row:
            self.first_row, self.first_column = first_row, first_column
        self.first_row = min(self.first_row, first_row)
        self.last_row = max(self.last_row, last_row)
        self.first_column = min(self.first_column, first_column)
        self.last_column = max(self.last_column, last_column)

    def check(self, sheet: str) -> None:
        """Refuse a sheet that would not fit: too wide, too long, or too many cells in its block."""
        if self.columns > limits.MAX_COLUMNS:
            raise TabularError("too_many_columns", found=self.columns, limit=limits.MAX_COLUMNS)
        if self.last_row > limits.MAX_SHEET_ROWS or self.rows * self.columns > limits.MAX_SHEET_CELLS:
            raise TabularError(
                "sheet_too_large",
                sheet=sheet,
                rows=self.last_row,
                columns=self.columns,
                limit=limits.MAX_SHEET_CELLS,
                row_limit=limits.MAX_SHEET_ROWS,
            )


class _TooLargeError(Exception):
    """A single row longer than anything a real sheet holds."""


_MAX_ROW_BYTES = 64 << 20


class _Parts:
    """Chunks regrouped so that each part ends just after the last ``cut`` it holds."""

    def __init__(self, cut: bytes) -> None:
        self._cut = cut
        self._pending = b""

    def feed(self, chunk: bytes) -> bytes:
        data = self._pending + chunk if self._pending else chunk
        end = data.rfind(self._cut)
        if end < 0:
            if len(data) > _MAX_ROW_BYTES:
                raise _TooLargeError
            self._pending = data
            return b""
        end += len(self._cut)
        self._pending = data[end:]
        return data[:end]

    def rest(self) -> bytes:
        rest, self._pending = self._pending, b""
        return rest


_PREFIX = rb"(?:[\w.-]+:)?"
# xlsx: a cell reference is an attribute r whose value is letters then digits. Matching any name
# ending in r (hand-made spacing included) may only make the extent larger, never smaller.
_REF_LETTERS = re.compile(rb'r="([A-Za-z]+)[0-9]')
_REF_DIGITS = re.compile(rb'r="[A-Za-z]+([0-9]+)"')
_CELL_TAG = re.compile(rb"<" + _PREFIX + rb"c[\s>/]")
_BARE_CELL = re.compile(rb"<" + _PREFIX + rb'c(?=[\s/>])(?![^>]*[\s:]r=")[^>]*>')
_ROW_TAG = re.compile(rb"<" + _PREFIX + rb"row[\s>/]")
_ROW_REF = re.compile(rb"<" + _PREFIX + rb'row(?=\s)[^>]*?[\s:]r="([0-9]+)"')
_VALUE = re.compile(rb"<" + _PREFIX + rb"(?:v|is)[\s>]")
# Beyond these, a reference is out of any sheet: it is read as "very far" without big numbers.
_FAR = 1 << 40


def _column_number(letters: bytes) -> int:
    if len(letters) > 8:
        return _FAR
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _row_numbers(digits: set[bytes]) -> tuple[int, int]:
    if max(map(len, digits)) > 12:
        return min(map(_row_number, digits)), _FAR
    numbers = set(map(int, digits))
    return min(numbers), max(numbers)


def _row_number(digits: bytes) -> int:
    digits = digits.lstrip(b"0")
    return int(digits or b"0") if len(digits) <= 12 else _FAR


class XlsxScan:
    """The extent of one xlsx worksheet, fed its XML chunk by chunk; ``close()`` gives it."""

    def __init__(self) -> None:
        self.extent = Extent()
        self._parts = _Parts(b">")
        self._bare = _BareCells()

    def read(self, chunk: bytes) -> None:
        try:
            self._read(self._parts.feed(chunk))
        except _TooLargeError:
            self.extent.add(1, _FAR, 1, 1)

    def close(self, _name: str = "") -> Extent:
        self._read(self._parts.rest())
        bare, extent = self._bare, self.extent
        if bare.seen:
            # Cells without a reference follow the previous cell of their row: bound their place.
            last_row = max(extent.last_row, bare.last_row) + bare.rows
            extent.add(
                extent.first_row or 1, last_row, extent.first_column or 1, extent.last_column + bare.widest
            )
        return extent

    def _read(self, part: bytes) -> None:
        if not part:
            return
        extent = self.extent
        if not extent.has_values and _VALUE.search(part):
            extent.has_values = True
        letters = _REF_LETTERS.findall(part)
        if letters:
            columns = [_column_number(found) for found in set(letters)]
            digits = set(_REF_DIGITS.findall(part))
            first_row, last_row = _row_numbers(digits) if digits else (1, 1)
            extent.add(first_row, last_row, min(columns), max(columns))
        self._bare.count(part, len(letters))


def xlsx_extent(chunks: Iterable[bytes]) -> Extent:
    """The extent of one xlsx worksheet, from its XML in chunks."""
    scan = XlsxScan()
    for chunk in chunks:
        scan.read(chunk)
    return scan.close()


class _BareCells:
    """Once a cell without a reference is met, the rows and the widest row, to bound where cells lie."""

    def __init__(self) -> None:
        self.seen = False
        self.rows = 0
        self.last_row = 0
        self.widest = 0
        self._current = 0

    def count(self, part: bytes, references: int) -> None:
        if not self.seen:
            # "<c" also starts <cols>, <cfRule>…: a count above the references is only worth a look.
            if part.count(b"<c") + part.count(b":c") <= references or not _BARE_CELL.search(part):
                return
            self.seen = True
        pieces = _ROW_TAG.split(part)
        self._current += len(_CELL_TAG.findall(pieces[0]))
        for piece in pieces[1:]:
            self.widest = max(self.widest, self._current)
            self._current = len(_CELL_TAG.findall(piece))
            self.rows += 1
        self.widest = max(self.widest, self._current)
        numbers = _ROW_REF.findall(part)
        if numbers:
            self.last_row = max(self.last_row, *map(_row_number, numbers))


# ods: a cell holds a value when it has a type or content (it is not an empty element).
_ROW_END = b"</table:table-row>"
_ODS_TOKEN = re.compile(
    rb"<table:table(?=[\s>])([^>]*)>"
    rb"|<table:table-row(?=[\s>/])([^>]*?)(/?)>"
    rb"|<table:(?:covered-)?table-cell(?=[\s>/])([^>]*?)(/?)>"
    rb"|(</table:table-row>)"
)
_CLOSED_ROW = re.compile(rb"<table:table-row(?=[\s/])[^>]*/>")
_ROWS_REPEATED = re.compile(rb'number-rows-repeated="([0-9]+)"')
_COLUMNS_REPEATED = re.compile(rb'number-columns-repeated="([0-9]+)"')
_LAST_CELL = re.compile(
    rb"<table:(?:covered-)?table-cell(?=[\s>/])([^>]*?)(/?)>(?=(?:</table:table-cell>)?$)"
)
_TABLE_NAME = re.compile(rb'table:name="([^"]*)"')
_count_cells = methodcaller("count", b"<table:table-cell")


def ods_extents(chunks: Iterable[bytes]) -> dict[str, Extent]:
    """The extent of each table (sheet) of an ods ``content.xml``, in chunks, by table name."""
    scan = OdsScan()
    for chunk in chunks:
        scan.read(chunk)
    scan.close()
    return scan.extents


class OdsScan:
    """The extent of each table of an ods ``content.xml``, fed chunk by chunk; ``close()`` at the end.

    Rows are read whole: most by counting their cells, those with repetitions from a few attributes,
    and only what holds a table start or several rows element by element. ``current`` is the name
    of the table being read, ``names`` the tables met so far, in order."""

    def __init__(self) -> None:
        self.extents: dict[str, Extent] = {}
        self.names: list[str] = []
        self.current = ""
        self.extent = Extent()
        self._parts = _Parts(_ROW_END)
        self._row = 0  # rows of the current table before the current row
        self._repeat = 1  # times the current row is repeated
        self._column = 0  # cells of the current row before the current cell
        self._first = 0  # first and last filled column of the current row
        self._last = 0

    def read(self, chunk: bytes) -> None:
        try:
            self._read(self._parts.feed(chunk))
        except _TooLargeError:
            self.extent.add(1, _FAR, 1, 1)

    def close(self, _name: str = "") -> Extent:
        self._read(self._parts.rest())
        return self.extent

    def _read(self, part: bytes) -> None:
        if not part:
            return
        pieces = part.split(_ROW_END)
        tail = pieces.pop()
        plain = not (
            b"repeated=" in part
            or b"<table:table " in part
            or b"<table:table>" in part
            or b"covered-table-cell" in part
            or _CLOSED_ROW.search(part)
        )
        if plain and pieces:
            # Only rows of plain cells: each one is counted as filled, as wide as its cells.
            if b"value-type=" in part or b"</table:table-cell>" in part:
                self.extent.add(self._row + 1, self._row + len(pieces), 1, max(map(_count_cells, pieces)))
                self.extent.has_values = True
            self._row += len(pieces)
        else:
            for piece in pieces:
                if piece.count(b"<table:table-row") == 1 and b"<table:table " not in piece:
                    self._row_of(piece)
                else:
                    self._tokens(piece + _ROW_END)
        self._tokens(tail)

    def _row_of(self, piece: bytes) -> None:
        """One row, from its repetitions and its last cell, without parsing each cell."""
        start = piece.find(b"<table:table-row")
        row_tag = piece[start : piece.find(b">", start) + 1]
        repeat = _repeat(_ROWS_REPEATED, row_tag)
        width = piece.count(b"<table:table-cell", start) + piece.count(b"<table:covered-table-cell", start)
        repeats = [
            _repeat(_COLUMNS_REPEATED, b'number-columns-repeated="' + n + b'"')
            for n in _COLUMNS_REPEATED.findall(piece, start)
        ]
        width += sum(repeats) - len(repeats)
        last = _LAST_CELL.search(piece, start)
        if last and last.group(2) and b"value-type=" not in last.group(1):
            width -= _repeat(_COLUMNS_REPEATED, last.group(1))  # trailing empty cells are not kept
        if width > 0 and (b"value-type=" in piece or b"</table:table-cell>" in piece):
            self.extent.add(self._row + 1, self._row + repeat, 1, width)
            self.extent.has_values = True
        self._row += repeat

    def _tokens(self, piece: bytes) -> None:
        for match in _ODS_TOKEN.finditer(piece):
            table, row, row_closed, cell, cell_closed, row_end = match.groups()
            if table is not None:
                name = _TABLE_NAME.search(table)
                self.extent = Extent()
                self.current = html.unescape(name.group(1).decode("utf-8", "replace")) if name else ""
                if self.current not in self.extents:
                    self.names.append(self.current)
                    self.extents[self.current] = self.extent
                self._row = 0
            elif row is not None:
                self._repeat = _repeat(_ROWS_REPEATED, row)
                self._column = self._first = self._last = 0
                if row_closed:
                    self._row += self._repeat
                    self._repeat = 1
            elif cell is not None:
                repeat = _repeat(_COLUMNS_REPEATED, cell)
                if not cell_closed or b"value-type=" in cell:
                    self._first = self._first or self._column + 1
                    self._last = self._column + repeat
                self._column += repeat
            elif row_end is not None:
                if self._last:
                    self.extent.add(self._row + 1, self._row + self._repeat, self._first, self._last)
                    self.extent.has_values = True
                self._row += self._repeat
                self._repeat = 1
                self._column = self._first = self._last = 0


def _repeat(pattern: re.Pattern[bytes], attributes: bytes) -> int:
    found = pattern.search(attributes)
    if not found:
        return 1
    digits = found.group(1).lstrip(b"0")
    return max(1, int(digits or b"0")) if len(digits) <= 12 else _FAR
