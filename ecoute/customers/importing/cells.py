"""Turn one cell of an import file into the value stored, or say why it cannot be."""

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from ecoute.customers.importing.fields import MAX_TAG_LENGTH, FieldSpec, ValueType
from ecoute.lib.api_values import CONTROL_CHARACTERS
from ecoute.lib.columns import normalize_header
from ecoute.lib.dates import DateColumn, parse_date
from ecoute.lib.tabular_errors import InvalidValueError
from ecoute.lib.values import parse_amount, parse_bool, parse_decimal, parse_int

type Cell = str | float | int | date | datetime | None
type Converter = Callable[[Cell], Any]

_EMAIL = re.compile(r"^[^@\s;,<>]+@[^@\s;,<>]+\.[^@\s;,<>]+$")


class CellError(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def as_text(value: Cell) -> str:
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # spreadsheets hand whole numbers as floats: 1042.0 is "1042"
    return str(value).strip()


def _text(spec: FieldSpec) -> Converter:
    limit = spec.max_length

    def convert(value: Cell) -> str:
        text = value.strip() if value.__class__ is str else as_text(value)
        if limit and len(text) > limit:
            raise CellError("too_long", max_length=limit)
        if CONTROL_CHARACTERS.search(text):
            raise CellError("control_character")
        return text

    return convert


def _email(spec: FieldSpec) -> Converter:
    def convert(value: Cell) -> str:
        text = as_text(value).lower()
        if text and not _EMAIL.match(text):
            raise CellError("invalid_email")
        if len(text) > spec.max_length:
            raise CellError("too_long", max_length=spec.max_length)
        return text

    return convert


def _from_reader(parse: Callable[[Any], Any]) -> Converter:
    def convert(value: Cell) -> Any:
        if value is None or value == "":
            return None
        try:
            return parse(value)
        except InvalidValueError as error:
            raise CellError(error.code, **error.params) from None

    return convert


# Amounts as most exports write them ("63,37", "1250.5"): their canonical text is the cell with a
# point, so they skip Decimal. No leading zero, at most six decimals: str(Decimal) would differ.
_PLAIN_DECIMAL = re.compile(r"-?(?:0|[1-9]\d{0,14})(?:[.,]\d{1,6})?")


def _decimal_text(value: Cell) -> str | None:
    """The number as canonical text ("1234.56"): what the database takes, and cheap to spill."""
    if value is None or value == "":
        return None
    if value.__class__ is str and _PLAIN_DECIMAL.fullmatch(value):
        return value.replace(",", ".")
    try:
        return str(parse_decimal(value))
    except InvalidValueError as error:
        raise CellError(error.code, **error.params) from None


def _bounded_decimal(spec: FieldSpec) -> Converter:
    """A number that fits the column: at most `integer_digits` before the point, not below `minimum`."""
    digits, minimum = spec.integer_digits, spec.minimum
    if digits is None and minimum is None:
        return _decimal_text

    def convert(value: Cell) -> str | None:
        text = _decimal_text(value)
        if text is None:
            return None
        whole = text.partition(".")[0].lstrip("-")
        too_big = digits is not None and len(whole.lstrip("0")) > digits
        if minimum is not None and Decimal(text) < minimum:
            raise CellError("out_of_range_minimum", minimum=minimum)
        if too_big:
            raise _out_of_range(spec, low=None)
        return text

    return convert


def _money(spec: FieldSpec) -> Converter:
    """An amount as canonical text, followed by the ISO code of the currency the cell names, if any
    ("12,50 $" → "12.50 USD"); `money.SaleAmounts` then settles the sale's currency."""
    digits = spec.integer_digits

    def convert(value: Cell) -> str | None:
        if value is None or value == "":
            return None
        currency = None
        if value.__class__ is str and _PLAIN_DECIMAL.fullmatch(value):
            text = value.replace(",", ".")
        else:
            try:
                number, currency = parse_amount(value)
            except InvalidValueError as error:
                raise CellError(error.code, **error.params) from None
            text = str(number)
        if digits is not None and len(text.partition(".")[0].lstrip("-").lstrip("0")) > digits:
            raise CellError("out_of_range_digits", digits=digits)
        return f"{text} {currency}" if currency else text

    return convert


def _bounded_integer(spec: FieldSpec) -> Converter:
    parse = _from_reader(parse_int)
    # Whatever the field, a 32-bit column: larger numbers would fail in the database, not here.
    low = spec.minimum if spec.minimum is not None else -(2**31)
    high = spec.maximum if spec.maximum is not None else 2**31 - 1

    def convert(value: Cell) -> int | None:
        number: int | None = parse(value)
        if number is not None and not low <= number <= high:
            raise _out_of_range(spec, low=low, high=high)
        return number

    return convert


def _out_of_range(spec: FieldSpec, *, low: int | None = None, high: int | None = None) -> CellError:
    """The error of a value out of the field's bounds, naming them."""
    low = spec.minimum if low is None else low
    high = spec.maximum if high is None else high
    if low is not None and high is not None:
        return CellError("out_of_range_between", minimum=low, maximum=high)
    if low is not None and (spec.integer_digits is None):
        return CellError("out_of_range_minimum", minimum=low)
    return CellError("out_of_range_digits", digits=spec.integer_digits, minimum=low)


def _choice(spec: FieldSpec) -> Converter:
    accepted = {normalize_header(k): v for k, v in spec.choices.items()}
    listed = ", ".join(sorted(set(spec.choices.values())))

    def convert(value: Cell) -> str | None:
        text = as_text(value)
        if not text:
            return None
        found = accepted.get(normalize_header(text))
        if found is None:
            raise CellError("invalid_choice", choices=listed)
        return found

    return convert


def _web_address(spec: FieldSpec) -> Converter:
    """An http(s) address only: a link shown later must never run a script (javascript:…)."""
    text = _text(spec)

    def convert(value: Cell) -> str:
        address: str = text(value)
        if address and not address.lower().startswith(("https://", "http://")):
            raise CellError("invalid_url")
        return address

    return convert


def _tags(_spec: FieldSpec) -> Converter:
    def convert(value: Cell | list[str]) -> list[str]:
        if isinstance(value, list):  # sent to the API as a list: each item is a tag, commas and all
            tags = [tag.strip() for tag in value if tag.strip()]
        else:
            tags = [tag.strip() for tag in re.split(r"[,;|]", as_text(value)) if tag.strip()]
        if any(len(tag) > MAX_TAG_LENGTH for tag in tags):
            raise CellError("too_long", max_length=MAX_TAG_LENGTH)
        if any(CONTROL_CHARACTERS.search(tag) for tag in tags):
            raise CellError("control_character")
        return tags

    return convert


def converter_for(spec: FieldSpec) -> Converter:
    """The converter of a field's cells; dates are handled by `DateConverter` (column-wide order)."""
    match spec.type:
        case ValueType.EMAIL:
            return _email(spec)
        case ValueType.DECIMAL:
            return _bounded_decimal(spec)
        case ValueType.MONEY:
            return _money(spec)
        case ValueType.INTEGER:
            return _bounded_integer(spec)
        case ValueType.BOOLEAN:
            return _from_reader(parse_bool)
        case ValueType.CHOICE:
            return _choice(spec)
        case ValueType.TAGS:
            return _tags(spec)
        case ValueType.URL:
            return _web_address(spec)
        case _:
            return _text(spec)


class LocalToUtc:
    """Dates and wall-clock times of the organization's zone → aware UTC datetimes, cached."""

    def __init__(self, zone: str) -> None:
        self.zone = ZoneInfo(zone)
        self._cache: dict[date | datetime, datetime] = {}

    def __call__(self, value: date | datetime) -> datetime:
        found = self._cache.get(value)
        if found is None:
            local = value if isinstance(value, datetime) else datetime.combine(value, time())
            if local.tzinfo is None:
                local = local.replace(tzinfo=self.zone)
            found = local.astimezone(UTC)
            if len(self._cache) < 100_000:
                self._cache[value] = found
        return found


_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
# Beyond this many cells on days when the clocks change, the rest are not checked one by one.
MAX_CLOCK_CHANGE_CELLS = 10_000


def _may_hold_a_time(value: Cell) -> bool:
    """Whether a cell may name a time of day (a day alone never falls in a clock change)."""
    if isinstance(value, str):
        return ":" in value or "h" in value or "H" in value
    return isinstance(value, datetime | float)


def _readings(value: Cell) -> list[date]:
    """The value read day first and month first (one reading when the order makes no difference)."""
    found = []
    for day_first in (True, False):
        try:
            found.append(parse_date(value, day_first=day_first))
        except InvalidValueError:
            continue
    return found


def _clocks_change_on(value: date, zone: ZoneInfo) -> bool:
    """Whether the zone's offset changes during the day of `value` (a date, or a naive local time)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return False
        value = value.date()
    start = datetime.combine(value, time(), tzinfo=zone)
    end = datetime.combine(value, time(23, 59, 59), tzinfo=zone)
    return start.utcoffset() != end.utcoffset()


def local_time_problem(value: date, zone: ZoneInfo) -> str | None:
    """ "nonexistent_local_time" when the naive local time `value` is skipped by the clocks going forward
    (02:30 on the last Sunday of March in Paris), "ambiguous_local_time" when it happens twice as they go
    back (02:30 on the last Sunday of October: read as the first, summer-time one), else None."""
    if not isinstance(value, datetime) or value.tzinfo is not None:
        return None
    local = value.replace(tzinfo=zone)
    if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != value:
        return "nonexistent_local_time"
    if local.utcoffset() != local.replace(fold=1).utcoffset():
        return "ambiguous_local_time"
    return None


_NO_FAST_PATH = False


class DateCells:
    """One date column of a file: checked in pass 1, turned into database values in pass 2.

    Exports write the day and the time in one cell ("17/02/2024 15:36"): a million sales have
    nearly a million distinct cells but only a thousand days and 1,440 minutes. So a cell of the
    form "DAY HH:MM[:SS]" is read as its day (through `DateColumn`, which decides the column's
    day/month order and caches each day) plus a time of day; on a day when the zone's offset does
    not change, the database value is the day's UTC date and the time shifted by the offset, both
    from small tables. Any other cell takes the general path, and the results are the same.
    """

    def __init__(self, column: DateColumn | None = None, zone: str = "UTC") -> None:
        self.column = column or DateColumn()
        self.zone = ZoneInfo(zone)
        self._clocks: dict[str, timedelta | None] = {}
        # Per distinct day seen on the fast path: whether the zone's clocks change on it (in either
        # day/month order), so that its times are checked once the order is known.
        self._days: dict[str, bool] = {}
        self._checked: set[Any] = set()
        # Cells that may name a local time that does not exist, or exists twice: (cell, line).
        self.clock_change_cells: list[tuple[Cell, int]] = []

    def _clock(self, text: str) -> timedelta | None:
        found = self._clocks.get(text, _NO_FAST_PATH)
        if found is _NO_FAST_PATH:
            match = _CLOCK.fullmatch(text)
            found = None
            if match is not None:
                hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
                if hour < 24 and minute < 60 and second < 60:
                    found = timedelta(hours=hour, minutes=minute, seconds=second)
            if len(self._clocks) < 100_000:
                self._clocks[text] = found
        return found  # type: ignore[return-value]

    def observe(self, value: Cell, line: int) -> None:
        """Check one (stripped) cell; InvalidValueError when it is no date."""
        if value.__class__ is str:
            day, space, clock = value.partition(" ")
            if space:
                delta = self._clocks.get(clock, _NO_FAST_PATH)
                if delta is _NO_FAST_PATH:
                    delta = self._clock(clock)
                if delta is not None:
                    changes = self._days.get(day)
                    if changes is None:
                        changes = self._observe_day(day, str(value), line)
                    if changes and len(self.clock_change_cells) < MAX_CLOCK_CHANGE_CELLS:
                        self.clock_change_cells.append((value, line))
                    return
        self.column.observe(value, line=line)
        if not _may_hold_a_time(value) or value in self._checked:
            return
        if len(self._checked) < 100_000:
            self._checked.add(value)
        readings = [value] if isinstance(value, datetime) else _readings(value)
        changes = any(isinstance(r, datetime) and _clocks_change_on(r, self.zone) for r in readings)
        if changes and len(self.clock_change_cells) < MAX_CLOCK_CHANGE_CELLS:
            self.clock_change_cells.append((value, line))

    def _observe_day(self, day: str, value: str, line: int) -> bool:
        column = self.column
        day_first, month_first = column.day_first_evidence, column.month_first_evidence
        try:
            column.observe(day, line=line)
        except InvalidValueError as error:
            raise InvalidValueError(error.code, **{**error.params, "value": value[:100]}) from None
        # The evidence names the whole cell, as the user wrote it.
        if column.day_first_evidence is not day_first:
            column.day_first_evidence = (value, line)
        if column.month_first_evidence is not month_first:
            column.month_first_evidence = (value, line)
        changes = any(_clocks_change_on(reading, self.zone) for reading in _readings(day))
        if len(self._days) < 100_000:
            self._days[day] = changes
        return changes

    def to_database(
        self,
        parse: Callable[[Cell], Any],
        zone: str,
        db_datetime: Callable[[datetime], Any],
        *,
        naive_text: bool,
    ) -> Callable[[Cell], Any]:
        """Cell → the value the database stores, with `parse` from the column's resolved order.

        `naive_text`: the database takes naive UTC text (SQLite: "2024-02-17 14:36:00"), else aware
        UTC datetimes, or their text ("2024-02-17 14:36:00+00:00", as str() writes them)."""
        to_utc = LocalToUtc(zone)
        suffix = "" if naive_text else "+00:00"
        # Per day: its UTC dates (the date of its local midnight in UTC, and the next), the UTC time of
        # day of its local midnight, and the table of that midnight: local time → (0 or 1 for those
        # dates, UTC time of day).
        days: dict[str, tuple[tuple[str, str], timedelta, dict[str, tuple[int, str]]] | None] = {}
        tables: dict[timedelta, dict[str, tuple[int, str]]] = {}

        def day_of(day: str) -> tuple[tuple[str, str], timedelta, dict[str, tuple[int, str]]] | None:
            parsed = parse(day)
            if isinstance(parsed, datetime):
                return None
            moments = [
                datetime.combine(parsed, at, tzinfo=to_utc.zone)
                for at in (time(), time(12), time(23, 59, 59))
            ]
            if len({moment.utcoffset() for moment in moments}) != 1:
                return None  # the clocks change that day: each time is converted on its own
            midnight = moments[0].astimezone(UTC)
            since = midnight - midnight.replace(hour=0, minute=0, second=0, microsecond=0)
            first = midnight.date()
            return (
                (first.isoformat(), (first + timedelta(days=1)).isoformat()),
                since,
                tables.setdefault(since, {}),
            )

        def shifted(since: timedelta, time_of_day: str) -> tuple[int, str] | None:
            delta = self._clock(time_of_day)
            if delta is None:
                return None
            moment = datetime.min.replace(tzinfo=UTC) + since + delta
            return moment.day - 1, moment.time().isoformat()

        def convert(value: Cell) -> Any:
            if value.__class__ is str:
                day, space, time_of_day = value.partition(" ")
                # "15 mars 2024" has a space too: only "DAY HH:MM" takes the fast path, as in observe.
                if space and self._clock(time_of_day) is not None:
                    found = days.get(day, _NO_FAST_PATH)
                    if found is _NO_FAST_PATH:
                        found = day_of(day)
                        if len(days) < 100_000:
                            days[day] = found
                    if found is not None:
                        dates, since, table = found  # type: ignore[misc]
                        entry = table.get(time_of_day)
                        if entry is None:
                            entry = shifted(since, time_of_day)
                            if entry is not None and len(table) < 100_000:
                                table[time_of_day] = entry
                        if entry is not None:
                            return f"{dates[entry[0]]} {entry[1]}{suffix}"
            return db_datetime(to_utc(parse(value)))

        return convert
