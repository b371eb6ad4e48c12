"""Vectorised CSV splitting on a byte buffer: where each row and field lies (see transaction_log).

No Python object is made per field: separators are found with numpy, and a column comes out as
a (rows × width) byte matrix, zero after each field.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

type ByteArray = npt.NDArray[np.uint8]
type IntArray = npt.NDArray[np.int64]
type OffsetArray = npt.NDArray[np.signedinteger[Any]]
"""Byte offsets: int32 for files under 2 GiB, which halves the memory they take."""

PADDING = 272
"""Zero bytes after the data, so that any field can be read as a fixed-width window."""
MAX_VALUE_WIDTH = 64
"""Dates and amounts longer than this are cut, and then refused by their parsers."""
_SCAN_BYTES = 1 << 24
_NEWLINE, _RETURN, _QUOTE, _SPACE, _TAB = 10, 13, 34, 32, 9


@dataclass(frozen=True)
class BadFieldCount:
    offset: int
    fields: int


@dataclass(frozen=True)
class FieldBounds:
    """Where each field of each data row lies in the buffer (end offsets exclusive)."""

    line_start: OffsetArray
    line_end: OffsetArray
    delimiters: OffsetArray
    """rows × (fields - 1) offsets of the delimiters."""

    @property
    def rows(self) -> int:
        return int(self.line_start.size)

    def columns(self, column: int, rows: slice) -> tuple[OffsetArray, OffsetArray]:
        last = self.delimiters.shape[1]
        start = self.line_start[rows] if column == 0 else self.delimiters[rows, column - 1] + 1
        stop = self.line_end[rows] if column == last else self.delimiters[rows, column]
        return start.copy(), stop.copy()

    def field(self, row: int, column: int) -> tuple[int, int]:
        start, stop = self.columns(column, slice(row, row + 1))
        return int(start[0]), int(stop[0])


def split_fields(
    data: ByteArray, begin: int, end: int, *, delimiter: int, fields: int, quoted: bool = True
) -> FieldBounds | BadFieldCount:
    """Find the rows and fields of data[begin:end]; blank rows are skipped.

    `quoted` False promises that the text holds no quote character: no need to look for them.
    """
    offset_type = np.int32 if data.size < np.iinfo(np.int32).max else np.int64
    separators, quotes = [], []
    for offset in range(begin, end, _SCAN_BYTES):
        part = data[offset : min(offset + _SCAN_BYTES, end)]
        found = np.flatnonzero((part == _NEWLINE) | (part == delimiter))
        separators.append((found + offset).astype(offset_type))
        if quoted:
            quotes.append((np.flatnonzero(part == _QUOTE) + offset).astype(offset_type))
    separator = np.concatenate([np.empty(0, dtype=offset_type), *separators])
    quote = np.concatenate([np.empty(0, dtype=offset_type), *quotes])
    del separators, quotes
    if quote.size:
        # A separator inside quotes is preceded by an odd number of quote characters.
        separator = separator[np.searchsorted(quote, separator) % 2 == 0]
    if end > begin and data[end - 1] != _NEWLINE:
        # The last line has no newline: end stands for it.
        separator = np.append(separator, np.array([end], dtype=offset_type))
    regular = _regular_grid(data, begin, end, separator, delimiter=delimiter, fields=fields)
    if regular is not None:
        return regular
    is_newline = (data[np.minimum(separator, data.size - 1)] == _NEWLINE) | (separator == end)
    newline = separator[is_newline]
    delimiter_at = separator[~is_newline]
    del separator, is_newline
    if newline.size == 0:
        nothing: OffsetArray = np.empty(0, dtype=offset_type)
        return FieldBounds(nothing, nothing, nothing.reshape(0, fields - 1))
    line_start = np.concatenate([np.array([begin], dtype=offset_type), newline[:-1] + 1])
    line_end = newline
    line_end -= (line_end > line_start) & (data[np.maximum(line_end - 1, 0)] == _RETURN)
    count = np.searchsorted(delimiter_at, line_end) - np.searchsorted(delimiter_at, line_start)
    # Blank lines, and lines of delimiters only as spreadsheets leave at the end.
    blank = (line_end - line_start) == count
    wrong = np.flatnonzero(~blank & (count != fields - 1))
    if wrong.size:
        row = int(wrong[0])
        return BadFieldCount(int(line_start[row]), int(count[row]) + 1)
    kept = ~blank
    if not kept.all():
        in_blank = np.repeat(blank, count)
        delimiter_at = delimiter_at[~in_blank]
        line_start, line_end = line_start[kept], line_end[kept]
    return FieldBounds(line_start, line_end, delimiter_at.reshape(line_start.size, fields - 1))


def _regular_grid(
    data: ByteArray, begin: int, end: int, separator: OffsetArray, *, delimiter: int, fields: int
) -> FieldBounds | None:
    """The common case, checked in O(rows): every line has its fields and ends with a newline."""
    if separator.size == 0 or separator.size % fields:
        return None
    grid = separator.reshape(-1, fields)
    line_end = grid[:, -1]
    ends_well = (data[line_end] == _NEWLINE) | (line_end == end)
    if not ends_well.all() or not (data[grid[:, :-1]] == delimiter).all():
        return None
    line_start = np.empty_like(line_end)
    line_start[0] = begin
    line_start[1:] = line_end[:-1] + 1
    if (line_end == line_start).any():
        return None  # blank lines: the general path drops them
    line_end = line_end - (data[line_end - 1] == _RETURN)
    return FieldBounds(line_start, line_end, grid[:, :-1])


@dataclass(frozen=True)
class ByteMatrix:
    """Fields of one column for a chunk of rows: rows × width bytes, zero after each field."""

    values: ByteArray
    lengths: OffsetArray

    @classmethod
    def take(
        cls,
        data: ByteArray,
        bounds: FieldBounds,
        column: int,
        rows: slice,
        *,
        limit: int = MAX_VALUE_WIDTH,
        trim: bool = True,
    ) -> "ByteMatrix":
        """The fields of a column; those longer than `limit` are cut there (callers reject them)."""
        start, stop = bounds.columns(column, rows)
        if trim:
            _trim(data, start, stop)
        lengths = stop - start
        width = min(max(1, int(lengths.max(initial=1))), limit)
        windows = sliding_window_view(data, width)
        values = windows[start]
        if int(lengths.min(initial=width)) < width:
            # Bytes after a shorter field belong to the next one: zero them.
            values *= np.arange(width)[None, :] < lengths[:, None]
        return cls(values, np.minimum(lengths, width))

    def words(self) -> npt.NDArray[np.uint64]:
        """The bytes as 64-bit words, zero-padded on the right: equal fields, equal words."""
        rows, width = self.values.shape
        padded = np.zeros((rows, (width + 7) // 8 * 8), dtype=np.uint8)
        padded[:, :width] = self.values
        return padded.view(np.uint64)


def _trim(data: ByteArray, start: OffsetArray, stop: OffsetArray) -> None:
    """Strip spaces, tabs and one pair of enclosing quotes, in place."""
    for _ in range(2):
        while True:
            move = (stop > start) & ((data[start] == _SPACE) | (data[start] == _TAB))
            if not move.any():
                break
            start += move
        while True:
            move = (stop > start) & ((data[stop - 1] == _SPACE) | (data[stop - 1] == _TAB))
            if not move.any():
                break
            stop -= move
        quoted = (stop - start >= 2) & (data[start] == _QUOTE) & (data[stop - 1] == _QUOTE)
        if not quoted.any():
            break
        start += quoted
        stop -= quoted
