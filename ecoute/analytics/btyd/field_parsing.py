"""Vectorised CSV splitting and field parsing on a byte buffer (see transaction_log)."""

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

type ByteArray = npt.NDArray[np.uint8]
type IntArray = npt.NDArray[np.int64]
type FloatArray = npt.NDArray[np.float64]

PADDING = 272
"""Zero bytes after the data, so that any field can be read as a fixed-width window."""
_SCAN_BYTES = 1 << 24
_MAX_VALUE_WIDTH = 64
_NEWLINE, _RETURN, _QUOTE, _SPACE, _TAB = 10, 13, 34, 32, 9


@dataclass(frozen=True)
class BadFieldCount:
    offset: int
    fields: int


@dataclass(frozen=True)
class FieldBounds:
    """Where each field of each data row lies in the buffer (end offsets exclusive)."""

    line_start: IntArray
    line_end: IntArray
    delimiters: IntArray
    """rows × (fields - 1) offsets of the delimiters."""

    @property
    def rows(self) -> int:
        return int(self.line_start.size)

    def columns(self, column: int, rows: slice) -> tuple[IntArray, IntArray]:
        last = self.delimiters.shape[1]
        start = self.line_start[rows] if column == 0 else self.delimiters[rows, column - 1] + 1
        stop = self.line_end[rows] if column == last else self.delimiters[rows, column]
        return start.copy(), stop.copy()

    def lengths(self, column: int) -> IntArray:
        start, stop = self.columns(column, slice(None))
        return stop - start

    def width(self, column: int) -> int:
        return max(1, int(self.lengths(column).max()))

    def field(self, row: int, column: int) -> tuple[int, int]:
        start, stop = self.columns(column, slice(row, row + 1))
        return int(start[0]), int(stop[0])


def split_fields(
    data: ByteArray, begin: int, end: int, delimiter: int, fields: int
) -> FieldBounds | BadFieldCount:
    """Find the rows and fields of data[begin:end]; blank rows are skipped."""
    newlines, delimiters, quotes = [], [], []
    for offset in range(begin, end, _SCAN_BYTES):
        part = data[offset : min(offset + _SCAN_BYTES, end)]
        newlines.append(np.flatnonzero(part == _NEWLINE) + offset)
        delimiters.append(np.flatnonzero(part == delimiter) + offset)
        quotes.append(np.flatnonzero(part == _QUOTE) + offset)
    newline = np.concatenate([np.empty(0, dtype=np.int64), *newlines]).astype(np.int64)
    delimiter_at = np.concatenate([np.empty(0, dtype=np.int64), *delimiters]).astype(np.int64)
    quote = np.concatenate([np.empty(0, dtype=np.int64), *quotes]).astype(np.int64)
    if quote.size:
        # A separator inside quotes is preceded by an odd number of quote characters.
        newline = newline[np.searchsorted(quote, newline) % 2 == 0]
        delimiter_at = delimiter_at[np.searchsorted(quote, delimiter_at) % 2 == 0]
    line_start = np.concatenate([[begin], newline + 1]).astype(np.int64)
    line_end = np.concatenate([newline, [end]]).astype(np.int64)
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


@dataclass(frozen=True)
class ByteMatrix:
    """Fields of one column for a chunk of rows: rows × width bytes, zero after each field."""

    values: ByteArray
    lengths: IntArray

    @classmethod
    def take(
        cls, data: ByteArray, bounds: FieldBounds, column: int, rows: slice, width: int | None = None
    ) -> "ByteMatrix":
        start, stop = bounds.columns(column, rows)
        _trim(data, start, stop)
        lengths = stop - start
        if width is None:
            width = min(max(1, int(lengths.max(initial=1))), _MAX_VALUE_WIDTH)
        # Wider fields are cut (and then rejected by the parsers, which see no terminator).
        windows = sliding_window_view(data, width)
        values = windows[start].copy()
        values[np.arange(width)[None, :] >= lengths[:, None]] = 0
        return cls(values, np.minimum(lengths, width))

    def words(self) -> npt.NDArray[np.uint64]:
        """The bytes as 64-bit words, zero-padded on the right: equal fields, equal words."""
        rows, width = self.values.shape
        padded = np.zeros((rows, (width + 7) // 8 * 8), dtype=np.uint8)
        padded[:, :width] = self.values
        return padded.view(np.uint64)


def _trim(data: ByteArray, start: IntArray, stop: IntArray) -> None:
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


def factorise_ids(words: npt.NDArray[np.uint64], width: int, codes: IntArray) -> npt.NDArray[np.bytes_]:
    """Distinct ids in order of first appearance; writes each row's id index into codes."""
    if words.shape[1] == 1:
        keys = words[:, 0]
    else:
        # A 64-bit hash of the words; equal hashes are checked to be equal ids below.
        keys = words[:, 0].copy()
        for column in range(1, words.shape[1]):
            keys *= np.uint64(0x9E3779B97F4A7C15)
            keys ^= words[:, column] + np.uint64(0x632BE59BD9B4E019) + (keys >> np.uint64(29))
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    if words.shape[1] > 1 and not np.array_equal(words, words[first[inverse]]):
        as_text = words.view(f"S{words.shape[1] * 8}").reshape(-1)
        _, first, inverse = np.unique(as_text, return_index=True, return_inverse=True)
        inverse = inverse.reshape(-1)
    order = np.argsort(first, kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    codes[:] = rank[inverse]
    distinct = words[first[order]]
    return distinct.view(f"S{words.shape[1] * 8}").reshape(-1).astype(f"S{max(width, 1)}")


def parse_days(matrix: ByteMatrix) -> tuple[IntArray, int | None]:
    """Days since 1970-01-01 of dd/mm/yyyy, yyyy-mm-dd or yyyymmdd dates; or the first bad row."""
    values, length = _at_least(matrix.values, 11), matrix.lengths
    digit = (values >= ord("0")) & (values <= ord("9"))
    number = values.astype(np.int64) - ord("0")

    def digits(*columns: int) -> IntArray:
        total = np.zeros(values.shape[0], dtype=np.int64)
        for column in columns:
            total = total * 10 + number[:, column]
        return total

    def all_digits(*columns: int) -> npt.NDArray[np.bool_]:
        return np.logical_and.reduce([digit[:, column] for column in columns])

    time_after_10 = (length == 10) | ((length > 10) & np.isin(values[:, 10], [ord(" "), ord("T")]))
    iso = (
        time_after_10
        & (values[:, 4] == ord("-"))
        & (values[:, 7] == ord("-"))
        & all_digits(0, 1, 2, 3, 5, 6, 8, 9)
    )
    separator = values[:, 2]
    french = (
        time_after_10
        & np.isin(separator, [ord("/"), ord("-"), ord(".")])
        & (values[:, 5] == separator)
        & all_digits(0, 1, 3, 4, 6, 7, 8, 9)
    )
    compact = ((length == 8) | ((length > 8) & (values[:, 8] == ord(" ")))) & all_digits(*range(8))
    year = np.select([iso, french], [digits(0, 1, 2, 3), digits(6, 7, 8, 9)], digits(0, 1, 2, 3))
    month = np.select([iso, french], [digits(5, 6), digits(3, 4)], digits(4, 5))
    day = np.select([iso, french], [digits(8, 9), digits(0, 1)], digits(6, 7))
    valid = (iso | french | compact) & _valid_date(year, month, day)
    days = days_from_civil(year, month, day)
    if not valid.all():
        for row in np.flatnonzero(~valid):
            text = matrix.values[row, : matrix.lengths[row]].tobytes().decode("utf-8", "replace")
            parsed = _parse_loose_date(text)
            if parsed is None:
                return days, int(row)
            days[row] = parsed
    return days, None


_LOOSE_DATE = re.compile(
    r"^(?:(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})"
    r"|(?P<y2>\d{4})[/.-](?P<m2>\d{1,2})[/.-](?P<d2>\d{1,2}))(?:[ T].*)?$"
)


def _parse_loose_date(text: str) -> int | None:
    """Dates without leading zeros (1/2/2024, 2024-2-1); the slow path of a few rows."""
    found = _LOOSE_DATE.match(text.strip())
    if found is None:
        return None
    groups = found.groupdict()
    year, month, day = (
        (groups["y"], groups["m"], groups["d"])
        if groups["y"]
        else (groups["y2"], groups["m2"], groups["d2"])
    )
    try:
        date = dt.date(int(year), int(month), int(day))
    except ValueError:
        return None
    return date.toordinal() - dt.date(1970, 1, 1).toordinal()


def _valid_date(year: IntArray, month: IntArray, day: IntArray) -> npt.NDArray[np.bool_]:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    last = month_days[np.clip(month, 0, 12)] + ((month == 2) & leap)
    return (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= last)


def days_from_civil(year: IntArray, month: IntArray, day: IntArray) -> IntArray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    shifted_year = year - (month <= 2)
    era = shifted_year // 400
    year_of_era = shifted_year - era * 400
    day_of_year = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


# Bytes of the spaces and currency sign allowed in amounts, as UTF-8 sequences.
_IGNORED_SEQUENCES = (b" ", b"\xc2\xa0", b"\xe2\x80\xaf", b"\xe2\x82\xac")
_POWERS = 10.0 ** np.arange(_MAX_VALUE_WIDTH + 1)


def parse_amounts(matrix: ByteMatrix) -> tuple[FloatArray, int | None]:
    """Amounts such as 12,50 · 1 234,50 € · -3.2 · 1.234,5; or the first bad row.

    The decimal separator is the last comma or point; other commas and points group thousands,
    as does a comma or point that appears several times alone.
    """
    values = matrix.values
    rows, width = values.shape
    inside = np.arange(width)[None, :] < matrix.lengths[:, None]
    digit = (values >= ord("0")) & (values <= ord("9"))
    comma = values == ord(",")
    point = values == ord(".")
    minus = values == ord("-")
    ignored = np.zeros_like(digit)
    for sequence in _IGNORED_SEQUENCES:
        size = len(sequence)
        if size > width:
            continue
        match = np.ones((rows, width - size + 1), dtype=np.bool_)
        for shift, byte in enumerate(sequence):
            match &= values[:, shift : width - size + 1 + shift] == byte
        for shift in range(size):
            ignored[:, shift : width - size + 1 + shift] |= match
    separator = comma | point
    unknown = inside & ~(digit | separator | minus | ignored)

    has_digit = digit.any(axis=1)
    first_digit = np.argmax(digit, axis=1)
    minus_count = minus.sum(axis=1)
    minus_at = np.argmax(minus, axis=1)
    bad_sign = (minus_count > 1) | ((minus_count == 1) & (minus_at > first_digit))
    # The decimal separator: the last separator, unless it is the only kind and repeated.
    last_separator = width - 1 - np.argmax(separator[:, ::-1], axis=1)
    has_separator = separator.any(axis=1)
    repeated_alone = ((comma.sum(axis=1) > 1) & ~point.any(axis=1)) | (
        (point.sum(axis=1) > 1) & ~comma.any(axis=1)
    )
    decimal_at = np.where(has_separator & ~repeated_alone, last_separator, width)
    digits_after = np.cumsum(digit[:, ::-1], axis=1)[:, ::-1] - digit
    weights = np.where(digit, _POWERS[digits_after], 0.0)
    mantissa = ((values.astype(np.float64) - ord("0")) * weights).sum(axis=1)
    fraction_digits = np.where(
        decimal_at < width, digits_after[np.arange(rows), np.minimum(decimal_at, width - 1)], 0
    )
    # digits_after at a separator counts the digits to its right, which is what is wanted.
    amount = mantissa / _POWERS[fraction_digits]
    amount = np.where(minus_count == 1, -amount, amount)
    bad = unknown.any(axis=1) | ~has_digit | bad_sign | (digit.sum(axis=1) > 15)
    bad |= matrix.lengths >= _MAX_VALUE_WIDTH
    if bad.any():
        return amount, int(np.argmax(bad))
    return amount, None


def _at_least(values: ByteArray, width: int) -> ByteArray:
    if values.shape[1] >= width:
        return values
    padded = np.zeros((values.shape[0], width), dtype=np.uint8)
    padded[:, : values.shape[1]] = values
    return padded
