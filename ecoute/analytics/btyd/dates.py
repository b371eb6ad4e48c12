"""Dates of transaction rows as day numbers: dd/mm/yyyy, yyyy-mm-dd, yyyymmdd, with or without
a time after them, and loosely written dates (1/2/2024) on a slower path.
"""

import datetime as dt
import re

import numpy as np
import numpy.typing as npt

from ecoute.analytics.btyd.csv_fields import ByteArray, ByteMatrix, OffsetArray

type IntArray = npt.NDArray[np.int64]


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


def _at_least(values: ByteArray, width: int) -> ByteArray:
    if values.shape[1] >= width:
        return values
    padded = np.zeros((values.shape[0], width), dtype=np.uint8)
    padded[:, : values.shape[1]] = values
    return padded
