"""The date cells of an import: read with one parser for both passes, turned into aware UTC datetimes
of the organization's zone, and local times that the clock change skips or repeats told apart."""

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ecoute.customers.importing.cells import Cell
from ecoute.lib.dates import DateColumn, parse_date
from ecoute.lib.tabular_errors import InvalidValueError


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
