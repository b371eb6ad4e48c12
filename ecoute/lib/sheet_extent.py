"""The real extent of a workbook sheet, read from its XML as a stream before anything loads it.

python-calamine holds a sheet as one block of cells from its first filled cell to its last, so a
1.6 KB file with a cell at A1 and one at XFD1048576 asks for 512 GiB. Only cheap passes over the
bytes are made, with regular expressions on chunks, never an XML tree. Here: the ``Extent`` and
its limits, and xlsx sheets, from every cell reference (``r="XFD1048576"``, in any attribute
order); a cell written without one (allowed, rare) takes the next column of its row, so then each
row's cells are counted too. Empty cells count: the extent may be larger than what calamine keeps,
never smaller. ods sheets are read by ``ods_extent``.

Nothing here imports Django.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

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


class RowTooLargeError(Exception):
    """A single row longer than anything a real sheet holds."""


_MAX_ROW_BYTES = 64 << 20
# Beyond these, a place is out of any sheet: it is read as "very far" without big numbers.
FAR = 1 << 40


class ChunkParts:
    """Chunks regrouped so that each part ends just after the last ``cut`` it holds."""

    def __init__(self, cut: bytes) -> None:
        self._cut = cut
        self._pending = b""

    def feed(self, chunk: bytes) -> bytes:
        data = self._pending + chunk if self._pending else chunk
        end = data.rfind(self._cut)
        if end < 0:
            if len(data) > _MAX_ROW_BYTES:
                raise RowTooLargeError
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
_REF_LETTERS = re.compile(rb"""r\s*=\s*["']([A-Za-z]+)[0-9]""")
_REF_DIGITS = re.compile(rb"""r\s*=\s*["'][A-Za-z]+([0-9]+)["']""")
# The same, for a cell that is not an empty element ("<c r="X1" s="1"/>" holds no value).
_VALUED_REF = re.compile(rb"""r\s*=\s*["']([A-Za-z]+)([0-9]+)["'][^>]*(?<!/)>""")
_CELL_TAG = re.compile(rb"<" + _PREFIX + rb"c[\s>/]")
_BARE_CELL = re.compile(rb"<" + _PREFIX + rb"""c(?=[\s/>])(?![^>]*[\s:]r\s*=\s*["'])[^>]*>""")
_ROW_TAG = re.compile(rb"<" + _PREFIX + rb"row[\s>/]")
_ROW_REF = re.compile(rb"<" + _PREFIX + rb"""row(?=\s)[^>]*?[\s:]r\s*=\s*["']([0-9]+)["']""")
_VALUE = re.compile(rb"<" + _PREFIX + rb"(?:v|is)[\s>]")


def _column_number(letters: bytes) -> int:
    if len(letters) > 8:
        return FAR
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _row_numbers(digits: set[bytes]) -> tuple[int, int]:
    if max(map(len, digits)) > 12:
        return min(map(_row_number, digits)), FAR
    numbers = set(map(int, digits))
    return min(numbers), max(numbers)


def _row_number(digits: bytes) -> int:
    return number_or_far(digits)


def number_or_far(digits: bytes) -> int:
    """The number written, or FAR when it has more digits than any place in a sheet."""
    digits = digits.lstrip(b"0")
    return int(digits or b"0") if len(digits) <= 12 else FAR


class XlsxScan:
    """The extent of one xlsx worksheet, fed its XML chunk by chunk; ``close()`` gives it.

    Every cell counts, empty ones (formatted only) included, which is fast; ``valued_only`` leaves
    out cells written as an empty element, as calamine does, for a second look at a sheet that
    seemed too large (a user may format cells far beyond the data)."""

    def __init__(self, *, valued_only: bool = False) -> None:
        self.extent = Extent()
        self._parts = ChunkParts(b">")
        self._bare = _BareCells()
        self._valued_only = valued_only

    def read(self, chunk: bytes) -> None:
        try:
            self._read(self._parts.feed(chunk))
        except RowTooLargeError:
            self.extent.add(1, FAR, 1, 1)

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
        if self._valued_only:
            references = _VALUED_REF.findall(part)
            letters: list[bytes] = [found for found, _digits in references]
            digits = {found for _letters, found in references}
        else:
            letters = _REF_LETTERS.findall(part)
            digits = set(_REF_DIGITS.findall(part)) if letters else set()
        if letters:
            columns = [_column_number(found) for found in set(letters)]
            first_row, last_row = _row_numbers(digits) if digits else (1, 1)
            extent.add(first_row, last_row, min(columns), max(columns))
        self._bare.count(part, len(letters) if not self._valued_only else len(_REF_LETTERS.findall(part)))


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
