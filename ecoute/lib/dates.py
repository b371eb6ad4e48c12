"""Dates and times as exports write them, with the day/month order decided per column.

Accepted forms: ``dd/mm/yyyy``, ``dd/mm/yy``, ``dd.mm.yyyy``, ``dd-mm-yyyy`` (or month
first, see below), ``yyyy-mm-dd`` (also with ``/`` or ``.``), ``yyyymmdd``, ``15 mars 2024``
/ ``15-Mar-24`` (French or English month names); each optionally followed by a time
``hh:mm``, ``hh:mm:ss``, ``hh:mm:ss.ffffff`` or ``14h30``, after a space or ISO ``T``, and
an offset (``Z``, ``+01:00``) that makes the result aware. Spreadsheet cells come as
``date``/``datetime`` objects (kept) or as Excel serial numbers (1900 date system).
A value without a time gives a ``date``, with a time a ``datetime``.

The first and last days of the calendar (1 January of year 1, 31 December 9999) are refused: no
time zone ahead of or behind UTC can place them in UTC, and exports use them only as placeholders.

Two-digit years are put within ten years ahead of today: in 2025, ``35`` is 2035 and
``36`` is 1936.

Whether ``03/04/2024`` is 3 April or March 4 depends on the whole column, so reading a
column takes two passes, which the importer's validation pass provides::

    column = DateColumn()
    for line, value in first_pass:
        column.observe(value, line=line)   # raises InvalidValueError for a value that is no date
    parse = column.resolve()                # raises InvalidValueError("mixed_date_order")
    for value in second_pass:
        when = parse(value)                 # never fails on a value observe() accepted

The column is day first if one value can only be read day first (``13/04/2024``), month
first if one can only be read month first (``04/13/2024``), day first (the French
convention) when every value reads both ways, and an error when both kinds are present.
Month first must be told by at least as many distinct values as those that read both ways:
one ``05/13/2024`` among a hundred ambiguous dates is more likely a typo than an American
export, so ``resolve`` refuses it (``date_order_minority``, with the lines that told)
unless the order is given (``DateColumn(order="mdy")``).

With ``years=(first, last)``, a value outside those years is refused (``date_out_of_window``):
the year does not depend on the day/month order, so the check is made as each value is seen.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Final, Literal

from ecoute.lib.tabular_errors import InvalidValueError
from ecoute.lib.values import Cell

Order = Literal["dmy", "mdy", "ymd"]
ORDERS: Final = ("dmy", "mdy", "ymd")
# Lines kept to show which values told a column's day/month order.
EVIDENCE_LINES: Final = 5
DateValue = dt.date | dt.datetime

_TIME = (
    r"(?:(?:\s+|T|\s*,\s*|\s+à\s+)(?P<hour>\d{1,2})[:hH](?P<minute>\d{2})"
    r"(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,6}))?)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?"
)
_NUMERIC_DATE = re.compile(r"(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4}|\d{2})" + _TIME)
_ISO_DATE = re.compile(r"(?P<year>\d{4})(?P<sep>[/.-])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})" + _TIME)
_COMPACT_DATE = re.compile(r"(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})" + _TIME)
_NAMED_MONTH_DATE = re.compile(
    r"(?P<day>\d{1,2})(?:er)?[\s./-]*(?P<name>[^\W\d_]{3,9})\.?[\s./-]*(?P<year>\d{4}|\d{2})" + _TIME
)

_MONTH_NAMES: Final = {
    name: number
    for number, names in enumerate(
        (
            ("janvier", "janv", "jan", "january"),
            ("fevrier", "fevr", "fev", "feb", "february"),
            ("mars", "mar", "march"),
            ("avril", "avr", "apr", "april"),
            ("mai", "may"),
            ("juin", "jun", "june"),
            ("juillet", "juil", "jul", "july"),
            ("aout", "aou", "aug", "august"),
            ("septembre", "sept", "sep", "september"),
            ("octobre", "oct", "october"),
            ("novembre", "nov", "november"),
            ("decembre", "dec", "december"),
        ),
        start=1,
    )
    for name in names
}

_EXCEL_EPOCH: Final = dt.datetime(1899, 12, 30)  # noqa: DTZ001 - serials carry no time zone
_EXCEL_MAX_SERIAL: Final = 2958466  # 10000-01-01
_CACHE_SIZE: Final = 100_000


def _today() -> dt.date:
    # Only used to place two-digit years: a day's difference across time zones is harmless.
    return dt.datetime.now(tz=dt.UTC).date()


def _two_digit_year(year: int, today: dt.date) -> int:
    candidate = today.year // 100 * 100 + year
    return candidate - 100 if candidate > today.year + 10 else candidate


# The days any zone (UTC-14 to UTC+14) can turn into UTC, with the day after still in the calendar.
FIRST_DAY: Final = dt.date(1, 1, 2)
LAST_DAY: Final = dt.date(9999, 12, 30)


def _within_calendar(value: DateValue) -> DateValue:
    day = value.date() if isinstance(value, dt.datetime) else value
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError("at an end of the calendar")
    return value


def _build(match: re.Match[str], year: int, month: int, day: int) -> DateValue:
    """The date or datetime a match describes; ValueError when out of the calendar."""
    _within_calendar(dt.date(year, month, day))
    hour = match["hour"]
    if hour is None:
        if match["tz"]:
            raise ValueError("an offset without a time")
        return dt.date(year, month, day)
    fraction = match["fraction"]
    tz = match["tz"]
    tzinfo: dt.tzinfo | None = None
    if tz:
        if tz == "Z":
            tzinfo = dt.UTC
        else:
            digits = tz[1:].replace(":", "")
            offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
            tzinfo = dt.timezone(-offset if tz[0] == "-" else offset)
    return dt.datetime(
        year,
        month,
        day,
        int(hour),
        int(match["minute"]),
        int(match["second"] or 0),
        int(fraction.ljust(6, "0")) if fraction else 0,
        tzinfo=tzinfo,
    )


def _year(match: re.Match[str], today: dt.date) -> int:
    year = int(match["year"])
    return _two_digit_year(year, today) if len(match["year"]) == 2 else year


def _day_month_readings(match: re.Match[str], today: dt.date) -> tuple[DateValue | None, DateValue | None]:
    """Both readings of ``a/b/year``: (day first, month first), None where out of the calendar."""
    a, b, year = int(match["a"]), int(match["b"]), _year(match, today)
    readings: list[DateValue | None] = []
    for month, day in ((b, a), (a, b)):
        try:
            readings.append(_build(match, year, month, day))
        except ValueError:
            readings.append(None)
    return readings[0], readings[1]


def _read_text(text: str, order: Order, today: dt.date) -> DateValue:
    """A date from text; ValueError when it is no date in any accepted form."""
    text = text.strip()
    match = _NUMERIC_DATE.fullmatch(text)
    if match is not None:
        a, b = int(match["a"]), int(match["b"])
        if order == "ymd":
            # yy/mm/dd: only with two digits at each end, a four-digit year last is not year first.
            if len(match["year"]) != 2 or len(match["a"]) != 2:
                raise ValueError("not year first")
            return _build(match, _two_digit_year(a, today), b, int(match["year"]))
        year = _year(match, today)
        return _build(match, year, b, a) if order == "dmy" else _build(match, year, a, b)
    match = _ISO_DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if match is not None:
        return _build(match, int(match["year"]), int(match["month"]), int(match["day"]))
    match = _NAMED_MONTH_DATE.fullmatch(text)
    if match is not None:
        name = unicodedata.normalize("NFKD", match["name"].lower())
        month = _MONTH_NAMES.get("".join(char for char in name if not unicodedata.combining(char)))
        if month is None:
            raise ValueError("unknown month name")
        return _build(match, _year(match, today), month, int(match["day"]))
    raise ValueError("not a date")


def _from_excel_serial(serial: float) -> DateValue:
    if not 1 <= serial < _EXCEL_MAX_SERIAL:
        raise ValueError("not an Excel date serial")
    moment = _EXCEL_EPOCH + dt.timedelta(days=serial)
    if moment.time() == dt.time():
        return moment.date()
    # Serials carry binary fractions of a day: round to the second the user typed.
    return (moment + dt.timedelta(microseconds=500_000)).replace(microsecond=0)


def _read_cell(value: Cell, order: Order, today: dt.date) -> DateValue:
    if isinstance(value, dt.date):
        try:
            return _within_calendar(value)
        except ValueError:
            raise InvalidValueError("invalid_date", value=value.isoformat()) from None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return _within_calendar(_from_excel_serial(value))
        except (ValueError, OverflowError):
            raise InvalidValueError("invalid_date", value=value) from None
    if isinstance(value, str):
        if not value.strip():
            raise InvalidValueError("empty_value")
        try:
            return _read_text(value, order, today)
        except ValueError:
            raise InvalidValueError("invalid_date", value=value[:100]) from None
    if value is None:
        raise InvalidValueError("empty_value")
    raise InvalidValueError("invalid_date", value=str(value)[:100])


def parse_date(value: Cell, *, day_first: bool = True, today: dt.date | None = None) -> DateValue:
    """One value on its own (a form field, a CLI option): day first unless told otherwise."""
    return _read_cell(value, "dmy" if day_first else "mdy", today or _today())


class DateParser:
    """Reads the values of one column in the order ``DateColumn.resolve`` decided."""

    def __init__(self, order: Order, *, today: dt.date | None = None) -> None:
        self.order: Order = order
        self._today = today or _today()
        self._cache: dict[str, DateValue] = {}

    def __call__(self, value: Cell) -> DateValue:
        if value.__class__ is str:
            try:
                return self._cache[value]
            except KeyError:
                pass
            result = _read_cell(value, self.order, self._today)
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            self._cache[value] = result
            return result
        return _read_cell(value, self.order, self._today)


class DateColumn:
    """Gathers the evidence of day/month order over a whole column, then gives a parser."""

    def __init__(
        self,
        *,
        day_first: bool | None = None,
        order: Order | None = None,
        today: dt.date | None = None,
        years: tuple[int, int] | None = None,
    ) -> None:
        if order is None and day_first is not None:
            order = "dmy" if day_first else "mdy"
        self._forced: Order | None = order
        self._today = today or _today()
        self._years = years
        self._seen: set[str] = set()
        self.day_first_evidence: tuple[str, int | None] | None = None
        self.month_first_evidence: tuple[str, int | None] | None = None
        # Distinct values that read both ways, and those that read one way only (with their first lines).
        self.ambiguous_count = 0
        self.day_first_count = 0
        self.month_first_count = 0
        self.day_first_lines: list[int] = []
        self.month_first_lines: list[int] = []

    def _check_year(self, year: int, value: object) -> None:
        if self._years is not None and not self._years[0] <= year <= self._years[1]:
            raise InvalidValueError(
                "date_out_of_window",
                value=str(value)[:100],
                first=str(self._years[0]),
                last=str(self._years[1]),
            )

    def observe(self, value: Cell, *, line: int | None = None) -> None:
        """Check one value (``None`` and blanks are skipped); InvalidValueError when it is no date."""
        if value is None or value.__class__ is not str:
            if value is not None:
                self._check_year(_read_cell(value, self._forced or "dmy", self._today).year, value)
            return
        text: str = value
        if text in self._seen or not text.strip():
            return
        match = None if self._forced else _NUMERIC_DATE.fullmatch(text.strip())
        if match is None:
            self._check_year(_read_cell(text, self._forced or "dmy", self._today).year, text)
        else:
            day_first, month_first = _day_month_readings(match, self._today)
            if day_first is None and month_first is None:
                raise InvalidValueError("invalid_date", value=text[:100])
            self._check_year(_year(match, self._today), text)
            if month_first is None:
                self.day_first_count += 1
                if self.day_first_evidence is None:
                    self.day_first_evidence = (text, line)
                if line is not None and len(self.day_first_lines) < EVIDENCE_LINES:
                    self.day_first_lines.append(line)
            elif day_first is None:
                self.month_first_count += 1
                if self.month_first_evidence is None:
                    self.month_first_evidence = (text, line)
                if line is not None and len(self.month_first_lines) < EVIDENCE_LINES:
                    self.month_first_lines.append(line)
            else:
                self.ambiguous_count += 1
        if len(self._seen) >= _CACHE_SIZE:
            self._seen.clear()
        self._seen.add(text)

    def minority_evidence(self) -> dict[str, object] | None:
        """What tells the order when fewer distinct values tell it than read both ways, else None."""
        if self._forced is not None:
            return None
        for order, count, lines, evidence in (
            ("mdy", self.month_first_count, self.month_first_lines, self.month_first_evidence),
            ("dmy", self.day_first_count, self.day_first_lines, self.day_first_evidence),
        ):
            if count and evidence and count < self.ambiguous_count:
                return {
                    "order": order,
                    "deciding": count,
                    "ambiguous": self.ambiguous_count,
                    "value": evidence[0],
                    "line": evidence[1],
                    "lines": ", ".join(map(str, lines)),
                }
        return None

    def resolve(self) -> DateParser:
        """The parser for the column; InvalidValueError("mixed_date_order") if the orders conflict,
        InvalidValueError("date_order_minority") if a minority of values would make it month first."""
        if self._forced is not None:
            return DateParser(self._forced, today=self._today)
        if self.day_first_evidence and self.month_first_evidence:
            raise InvalidValueError(
                "mixed_date_order",
                day_first_value=self.day_first_evidence[0],
                day_first_line=self.day_first_evidence[1],
                month_first_value=self.month_first_evidence[0],
                month_first_line=self.month_first_evidence[1],
            )
        minority = self.minority_evidence()
        if minority is not None and minority["order"] == "mdy":
            raise InvalidValueError("date_order_minority", **minority)
        order: Order = "mdy" if self.month_first_evidence else "dmy"
        return DateParser(order, today=self._today)
