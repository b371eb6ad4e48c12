"""The fast reading of "day time" cells gives exactly what the general path gives, clock changes included."""

from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ecoute.customers.importing.date_cells import DateCells, LocalToUtc

ZONES = ["Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]


def _naive_utc_text(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


def _aware_utc(value: datetime) -> Any:
    return value.astimezone(UTC)


# Around the clock changes of 2024 in Europe and North America, and anywhere in the year.
moments = st.one_of(
    st.datetimes(min_value=datetime(2024, 3, 9), max_value=datetime(2024, 3, 12)),
    st.datetimes(min_value=datetime(2024, 3, 30), max_value=datetime(2024, 4, 1)),
    st.datetimes(min_value=datetime(2024, 10, 26), max_value=datetime(2024, 10, 28)),
    st.datetimes(min_value=datetime(2024, 11, 2), max_value=datetime(2024, 11, 4)),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 12, 31)),
).map(lambda moment: moment.replace(second=0, microsecond=0))


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    moments=st.lists(moments, min_size=1, max_size=30),
    with_seconds=st.booleans(),
    naive_text=st.booleans(),
)
def test_day_and_time_cells_read_fast_equal_the_general_path(
    zone: str, moments: list[datetime], with_seconds: bool, naive_text: bool
) -> None:
    # Given a column of French "dd/mm/yyyy HH:MM" cells (a day past the 12th fixes the order)
    pattern = "%d/%m/%Y %H:%M:%S" if with_seconds else "%d/%m/%Y %H:%M"
    cells = [moment.strftime(pattern) for moment in moments] + ["25/12/2024 10:00"]
    column = DateCells()
    for line, cell in enumerate(cells, start=2):
        column.observe(cell, line)
    parse = column.column.resolve()
    # When the cells become database values through the fast path
    db_datetime = _naive_utc_text if naive_text else _aware_utc
    fast = column.to_database(parse, zone, db_datetime, naive_text=naive_text)
    # Then each equals the general reading: parse the cell, place it in the zone, convert to UTC
    general = LocalToUtc(zone)
    for cell in cells:
        expected = general(parse(cell))
        got = fast(cell)
        if naive_text:
            assert got == _naive_utc_text(expected), cell
        else:
            assert (got if isinstance(got, datetime) else datetime.fromisoformat(str(got))) == expected, cell


def test_a_time_that_does_not_exist_in_the_zone_is_read_like_the_general_path() -> None:
    # 31 March 2024, 02:30 does not exist in Paris (clocks jump from 02:00 to 03:00)
    column = DateCells()
    column.observe("31/03/2024 02:30", 2)
    parse = column.column.resolve()
    fast = column.to_database(parse, "Europe/Paris", _naive_utc_text, naive_text=True)
    assert fast("31/03/2024 02:30") == _naive_utc_text(LocalToUtc("Europe/Paris")(parse("31/03/2024 02:30")))
