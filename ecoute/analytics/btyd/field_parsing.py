"""Vectorised CSV splitting and field parsing on a byte buffer (see transaction_log)."""

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from ecoute.analytics.btyd.histories import sorted_unique

type ByteArray = npt.NDArray[np.uint8]
type IntArray = npt.NDArray[np.int64]
type OffsetArray = npt.NDArray[np.signedinteger[Any]]
"""Byte offsets: int32 for files under 2 GiB, which halves the memory they take."""
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

    def lengths(self, column: int) -> OffsetArray:
        start, stop = self.columns(column, slice(None))
        return stop - start

    def width(self, column: int) -> int:
        return max(1, int(self.lengths(column).max()))

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
        limit: int = _MAX_VALUE_WIDTH,
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


def factorise_ids(
    words: npt.NDArray[np.uint64], lengths: OffsetArray, codes: IntArray
) -> npt.NDArray[np.bytes_]:
    """Distinct ids in sorted order; writes each row's id index into codes.

    Sorting (not arg-sorting) 64-bit keys is what numpy does fastest; numeric ids, the usual
    CRM export, go through a lookup table without any sort.
    """
    width = words.shape[1] * 8
    numeric = _numeric_keys(words, lengths)
    if numeric is not None:
        present = np.zeros(int(numeric.max()) + 1, dtype=np.bool_)
        present[numeric] = True
        rank = np.cumsum(present, dtype=np.int64) - 1
        codes[:] = rank[numeric]
        del present, rank
    elif words.shape[1] == 1:
        # Big-endian words compare like the bytes they hold.
        keys = words[:, 0].byteswap()
        codes[:] = np.searchsorted(sorted_unique(keys)[0], keys)
    else:
        keys = words[:, 0].copy()
        for column in range(1, words.shape[1]):
            keys *= np.uint64(0x9E3779B97F4A7C15)
            keys ^= words[:, column] + np.uint64(0x632BE59BD9B4E019) + (keys >> np.uint64(29))
        codes[:] = np.searchsorted(sorted_unique(keys)[0], keys)
    first = _first_rows(codes)
    if words.shape[1] > 1 and numeric is None and not np.array_equal(words, words[first[codes]]):
        # Two ids share a 64-bit hash: exact, slower.
        _, inverse = np.unique(words.view(f"S{width}").reshape(-1), return_inverse=True)
        codes[:] = inverse.reshape(-1)
        first = _first_rows(codes)
    distinct = words[first].view(f"S{width}").reshape(-1)
    if words.shape[1] > 1 and numeric is None:
        order = np.argsort(distinct)
        rank = np.empty(order.size, dtype=np.int64)
        rank[order] = np.arange(order.size)
        codes[:] = rank[codes]
        distinct = distinct[order]
    return distinct.astype(f"S{max(1, int(lengths.max(initial=1)))}")


def _first_rows(codes: IntArray) -> IntArray:
    """For each code, the first row holding it (the last write of a repeated index wins)."""
    first = np.empty(int(codes.max(initial=-1)) + 1, dtype=np.int64)
    first[codes[::-1]] = np.arange(codes.size - 1, -1, -1, dtype=np.int64)
    return first


_NUMERIC_DIGITS = 17
_ID_ROWS = 500_000


def _numeric_keys(words: npt.NDArray[np.uint64], lengths: OffsetArray) -> IntArray | None:
    """Dense integer keys for ids made of digits only (leading zeros kept apart), if compact."""
    if lengths.size == 0 or int(lengths.max()) > _NUMERIC_DIGITS or int(lengths.min()) < 1:
        return None
    widest = int(lengths.max())
    varying = int(lengths.min()) != widest
    number = np.zeros(words.shape[0], dtype=np.int64)
    for first in range(0, words.shape[0], _ID_ROWS):
        rows = slice(first, first + _ID_ROWS)
        values = words[rows].view(np.uint8)[:, :widest]
        inside = np.arange(widest)[None, :] < lengths[rows, None]
        digit = (values >= ord("0")) & (values <= ord("9"))
        if not (digit | ~inside).all():
            return None
        if varying:
            part = np.zeros(values.shape[0], dtype=np.int64)
            for column in range(widest):
                shifted = part * 10 + (values[:, column].astype(np.int64) - ord("0"))
                part = np.where(inside[:, column], shifted, part)
            number[rows] = part * (_NUMERIC_DIGITS + 1) + lengths[rows]
        else:
            part = np.zeros(values.shape[0], dtype=np.int64)
            for column in range(widest):
                part *= 10
                part += values[:, column]
                part -= ord("0")
            number[rows] = part
    low, high = int(number.min()), int(number.max())
    if high - low > max(4 * number.size, 1 << 20):
        return None  # sparse: a table would waste memory; sort instead
    number -= low
    return number


# Date layouts: where the year, month and day digits are, and which separators where.
_LAYOUTS = {
    "iso": ((0, 1, 2, 3), (5, 6), (8, 9), ((4, "-"), (7, "-")), 10),
    "french": ((6, 7, 8, 9), (3, 4), (0, 1), ((2, "/"), (5, "/")), 10),
    "french-dash": ((6, 7, 8, 9), (3, 4), (0, 1), ((2, "-"), (5, "-")), 10),
    "french-dot": ((6, 7, 8, 9), (3, 4), (0, 1), ((2, "."), (5, ".")), 10),
    "compact": ((0, 1, 2, 3), (4, 5), (6, 7), (), 8),
}


def parse_days(matrix: ByteMatrix) -> tuple[IntArray, int | None]:
    """Days since 1970-01-01 of dd/mm/yyyy, yyyy-mm-dd or yyyymmdd dates; or the first bad row."""
    values, length = _at_least(matrix.values, 11), matrix.lengths
    # A file keeps one layout: try the first row's on every row before the general path.
    for layout in _LAYOUTS.values():
        days = _days_in_layout(values, length, layout)
        if days is not None:
            return days, None
    return _parse_mixed_days(matrix, values, length)


type _Layout = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[tuple[int, str], ...], int]


def _days_in_layout(values: ByteArray, length: OffsetArray, layout: _Layout) -> IntArray | None:
    year_at, month_at, day_at, separators, size = layout
    if int(length[0]) < size or any(values[0, at] != ord(char) for at, char in separators):
        return None
    if int(length.min()) < size:
        return None
    longer = values[length > size, size]
    if longer.size and not ((longer == ord(" ")) | (longer == ord("T"))).all():
        return None
    for at, char in separators:
        if not (values[:, at] == ord(char)).all():
            return None
    columns = [*year_at, *month_at, *day_at]
    digits = values[:, columns] - np.uint8(ord("0"))  # non-digits wrap above 9
    if int(digits.max(initial=0)) > 9:
        return None
    digits = digits.astype(np.int32)
    year = digits[:, 0] * 1000 + digits[:, 1] * 100 + digits[:, 2] * 10 + digits[:, 3]
    month = digits[:, 4] * 10 + digits[:, 5]
    day = digits[:, 6] * 10 + digits[:, 7]
    if not ((month >= 1) & (month <= 12) & (day >= 1)).all():
        return None
    # Dates of a log span few months: day numbers and month lengths come from a small table
    # indexed by month rather than from calendar arithmetic on every row.
    months = year * 12 + (month - 1)
    first_month = int(months.min())
    table_months = np.arange(first_month, int(months.max()) + 1, dtype=np.int64)
    table_year, table_month = table_months // 12, table_months % 12 + 1
    month_start = days_from_civil(table_year, table_month, np.ones_like(table_months))
    next_start = days_from_civil(
        table_year + (table_month == 12), table_month % 12 + 1, np.ones_like(table_months)
    )
    at = months - first_month
    if not (day <= (next_start - month_start)[at]).all():
        return None
    days: IntArray = month_start[at] + (day - 1)
    return days


def _parse_mixed_days(
    matrix: ByteMatrix, values: ByteArray, length: OffsetArray
) -> tuple[IntArray, int | None]:
    digit = (values >= ord("0")) & (values <= ord("9"))
    number = values.astype(np.int64) - ord("0")

    def digits(*columns: int) -> IntArray:
        total = np.zeros(values.shape[0], dtype=np.int64)
        for column in columns:
            total = total * 10 + number[:, column]
        return total

    def all_digits(*columns: int) -> npt.NDArray[np.bool_]:
        found: npt.NDArray[np.bool_] = np.logical_and.reduce([digit[:, column] for column in columns])
        return found

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
        (groups["y"], groups["m"], groups["d"]) if groups["y"] else (groups["y2"], groups["m2"], groups["d2"])
    )
    try:
        date = dt.date(int(year), int(month), int(day))
    except ValueError:
        return None
    return date.toordinal() - dt.date(1970, 1, 1).toordinal()


def _valid_date(
    year: npt.NDArray[np.int32] | IntArray,
    month: npt.NDArray[np.int32] | IntArray,
    day: npt.NDArray[np.int32] | IntArray,
) -> npt.NDArray[np.bool_]:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    last = month_days[np.clip(month, 0, 12)] + ((month == 2) & leap)
    valid: npt.NDArray[np.bool_] = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= last)
    return valid


def days_from_civil(year: IntArray, month: IntArray, day: IntArray) -> IntArray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    shifted_year = year - (month <= 2)
    era = shifted_year // 400
    year_of_era = shifted_year - era * 400
    day_of_year = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    days: IntArray = era * 146097 + day_of_era - 719468
    return days


# Bytes of the spaces and currency sign allowed in amounts, as UTF-8 sequences.
_IGNORED_SEQUENCES = (b" ", b"\xc2\xa0", b"\xe2\x80\xaf", b"\xe2\x82\xac")
_POWERS = 10.0 ** np.arange(_MAX_VALUE_WIDTH + 1)


# Byte classes for the fast path of amounts: 0 padding, 1 digit, 2 separator, 3 minus, 4 other.
_AMOUNT_CLASS = np.full(256, 4, dtype=np.uint8)
_AMOUNT_CLASS[0] = 0
_AMOUNT_CLASS[ord("0") : ord("9") + 1] = 1
_AMOUNT_CLASS[[ord(","), ord(".")]] = 2
_AMOUNT_CLASS[ord("-")] = 3
_MAX_DIGITS = 15


def parse_amounts(matrix: ByteMatrix) -> tuple[FloatArray, int | None]:
    """Amounts such as 12,50 · 1 234,50 € · -3.2 · 1.234,5; or the first bad row.

    The decimal separator is the last comma or point; other commas and points group thousands,
    as does a comma or point that appears several times alone.
    """
    simple = _simple_amounts(matrix)
    if simple is not None:
        return simple, None
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
    bad = unknown.any(axis=1) | ~has_digit | bad_sign | (digit.sum(axis=1) > _MAX_DIGITS)
    bad |= matrix.lengths >= _MAX_VALUE_WIDTH
    if bad.any():
        return amount, int(np.argmax(bad))
    return amount, None


def _simple_amounts(matrix: ByteMatrix) -> FloatArray | None:
    """Digits with at most one separator and a leading minus, or None for the general path.

    Horner's rule on the digits is exact in 64-bit integers up to 15 digits; one division by a
    power of ten then rounds correctly, as parsing the text would.
    """
    values = matrix.values
    kind = _AMOUNT_CLASS[values]
    if int(kind.max(initial=0)) == 4 or (kind[:, 1:] == 3).any():
        return None
    if (matrix.lengths >= _MAX_VALUE_WIDTH).any():
        return None
    # Column by column, each column contiguous.
    by_column, kind_by_column = np.ascontiguousarray(values.T), np.ascontiguousarray(kind.T)
    rows = values.shape[0]
    mantissa = np.zeros(rows, dtype=np.int64)
    decimals = np.zeros(rows, dtype=np.int64)
    digits = np.zeros(rows, dtype=np.int64)
    separators = np.zeros(rows, dtype=np.int64)
    for column, kinds in zip(by_column, kind_by_column, strict=True):
        is_digit = kinds == 1
        mantissa = np.where(is_digit, mantissa * 10 + column - ord("0"), mantissa)
        separators += kinds == 2
        decimals += is_digit & (separators > 0)
        digits += is_digit
    if int(separators.max(initial=0)) > 1:
        return None
    if int(digits.min(initial=1)) == 0 or int(digits.max(initial=0)) > _MAX_DIGITS:
        return None
    amount: FloatArray = mantissa / _POWERS[decimals]
    return np.where(kind[:, 0] == 3, -amount, amount)


def _at_least(values: ByteArray, width: int) -> ByteArray:
    if values.shape[1] >= width:
        return values
    padded = np.zeros((values.shape[0], width), dtype=np.uint8)
    padded[:, : values.shape[1]] = values
    return padded
