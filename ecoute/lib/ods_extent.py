"""The real extent of each sheet of an ods file, read from its ``content.xml`` as a stream.

Rows and cells come with their ``number-rows-repeated`` and ``number-columns-repeated``: a run of
empty rows or cells counts only when a filled one comes after it, as LibreOffice pads every sheet
with a million empty rows that no reader keeps. A cell holds a value when it has a type or content
(it is not an empty element). See ``sheet_extent`` for the xlsx side and the limits.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from operator import methodcaller

from ecoute.lib.sheet_extent import FAR, ChunkParts, Extent, RowTooLargeError, number_or_far

_ROW_END = b"</table:table-row>"
_ODS_TOKEN = re.compile(
    rb"<table:table(?=[\s>])([^>]*)>"
    rb"|<table:table-row(?=[\s>/])([^>]*?)(/?)>"
    rb"|<table:(?:covered-)?table-cell(?=[\s>/])([^>]*?)(/?)>"
    rb"|(</table:table-row>)"
)
_CLOSED_ROW = re.compile(rb"<table:table-row(?=[\s/])[^>]*/>")
_ROWS_REPEATED = re.compile(rb"""number-rows-repeated\s*=\s*["']\s*([0-9]+)""")
_COLUMNS_REPEATED = re.compile(rb"""number-columns-repeated\s*=\s*["']\s*([0-9]+)""")
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
        self._parts = ChunkParts(_ROW_END)
        self._row = 0  # rows of the current table before the current row
        self._repeat = 1  # times the current row is repeated
        self._column = 0  # cells of the current row before the current cell
        self._first = 0  # first and last filled column of the current row
        self._last = 0

    def read(self, chunk: bytes) -> None:
        try:
            self._read(self._parts.feed(chunk))
        except RowTooLargeError:
            self.extent.add(1, FAR, 1, 1)

    def close(self, _name: str = "") -> Extent:
        self._read(self._parts.rest())
        return self.extent

    def _read(self, part: bytes) -> None:
        if not part:
            return
        pieces = part.split(_ROW_END)
        tail = pieces.pop()
        plain = not (
            b"repeated" in part
            or b"<table:table " in part
            or b"<table:table>" in part
            or b"covered-table-cell" in part
            or _CLOSED_ROW.search(part)
        )
        if plain and pieces:
            # Only rows of plain cells: each one is counted as filled, as wide as its cells.
            if b"value-type" in part or b"</table:table-cell>" in part:
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
        repeats = [max(1, number_or_far(found)) for found in _COLUMNS_REPEATED.findall(piece, start)]
        width += sum(repeats) - len(repeats)
        last = _LAST_CELL.search(piece, start)
        if last and last.group(2) and b"value-type" not in last.group(1):
            width -= _repeat(_COLUMNS_REPEATED, last.group(1))  # trailing empty cells are not kept
        if width > 0 and (b"value-type" in piece or b"</table:table-cell>" in piece):
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
                if not cell_closed or b"value-type" in cell:
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
    return max(1, number_or_far(found.group(1))) if found else 1
