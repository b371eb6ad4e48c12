"""Reading dates as exports write them, with the day/month order decided per column."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecoute.lib.dates import DateColumn, parse_date
from ecoute.lib.tabular_errors import InvalidValueError

TODAY = dt.date(2025, 6, 1)
CET = dt.timezone(dt.timedelta(hours=1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15/03/2024", dt.date(2024, 3, 15)),
        ("5/3/2024", dt.date(2024, 3, 5)),
        ("15/03/24", dt.date(2024, 3, 15)),
        ("15.03.2024", dt.date(2024, 3, 15)),
        ("15-03-2024", dt.date(2024, 3, 15)),
        ("2024-03-15", dt.date(2024, 3, 15)),
        ("2024/03/15", dt.date(2024, 3, 15)),
        ("20240315", dt.date(2024, 3, 15)),
        ("15 mars 2024", dt.date(2024, 3, 15)),
        ("1er février 2024", dt.date(2024, 2, 1)),
        ("15-Mar-24", dt.date(2024, 3, 15)),
        ("15 déc. 2023", dt.date(2023, 12, 15)),
        ("15/03/2024 14:30", dt.datetime(2024, 3, 15, 14, 30)),
        ("15/03/2024 14:30:05", dt.datetime(2024, 3, 15, 14, 30, 5)),
        ("15/03/2024 14h30", dt.datetime(2024, 3, 15, 14, 30)),
        ("2024-03-15T14:30:05", dt.datetime(2024, 3, 15, 14, 30, 5)),
        ("2024-03-15 14:30:05.250", dt.datetime(2024, 3, 15, 14, 30, 5, 250_000)),
        ("2024-03-15T14:30:05Z", dt.datetime(2024, 3, 15, 14, 30, 5, tzinfo=dt.UTC)),
        ("2024-03-15T14:30:05+01:00", dt.datetime(2024, 3, 15, 14, 30, 5, tzinfo=CET)),
        ("20240315 14:30", dt.datetime(2024, 3, 15, 14, 30)),
        (" 15/03/2024 ", dt.date(2024, 3, 15)),
    ],
)
def test_every_usual_export_date_form_is_read(text: str, expected: dt.date) -> None:
    # Given a date (and maybe a time) as a CRM or till writes it
    # When it is parsed on its own
    # Then it is that date, a datetime only when a time was written
    result = parse_date(text, today=TODAY)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2024",
        "32/01/2024",
        "15/13/2024",
        "2024-02-30",
        "15/03/2024 24:00",
        "15 truc 2024",
        "hier",
        "45292",
    ],
)
def test_text_that_is_no_calendar_date_is_refused(text: str) -> None:
    # Given an impossible or unreadable date
    # When it is parsed
    # Then the reason code is invalid_date
    with pytest.raises(InvalidValueError) as raised:
        parse_date(text, today=TODAY)
    assert raised.value.code == "invalid_date"


@pytest.mark.parametrize(
    ("text", "year"),
    [("01/01/00", 2000), ("01/01/25", 2025), ("01/01/35", 2035), ("01/01/36", 1936), ("01/01/99", 1999)],
)
def test_two_digit_years_fall_within_ten_years_ahead(text: str, year: int) -> None:
    # Given a two-digit year read in June 2025
    # When it is parsed
    # Then it is at most ten years ahead, else last century
    assert parse_date(text, today=TODAY).year == year


def test_excel_serial_numbers_from_a_sheet_are_dates() -> None:
    # Given the numbers Excel stores for dates (1900 system), as calamine gives them when a
    # cell lost its date format
    # When they are parsed
    # Then whole serials are dates and fractions are times to the second
    assert parse_date(45292) == dt.date(2024, 1, 1)
    assert parse_date(45366.5) == dt.datetime(2024, 3, 15, 12, 0)
    assert parse_date(45366.604166666664) == dt.datetime(2024, 3, 15, 14, 30)
    with pytest.raises(InvalidValueError):
        parse_date(-3)
    with pytest.raises(InvalidValueError):
        parse_date(True)


def test_date_objects_from_a_sheet_are_kept() -> None:
    # Given date and datetime cells from calamine
    # When they are parsed
    # Then they come back unchanged
    assert parse_date(dt.date(2024, 3, 15)) == dt.date(2024, 3, 15)
    assert parse_date(dt.datetime(2024, 3, 15, 9, 5)) == dt.datetime(2024, 3, 15, 9, 5)
    with pytest.raises(InvalidValueError):
        parse_date(dt.time(9, 5))


def test_a_column_where_only_row_57_shows_the_day_comes_first() -> None:
    # Given a column of ambiguous dates (both parts up to 12) until line 57 has 25/04/2024
    column = DateColumn(today=TODAY)
    values = {line: f"{(line % 12) + 1:02d}/{(line * 7 % 12) + 1:02d}/2024" for line in range(2, 200)}
    values[57] = "25/04/2024"
    for line, value in values.items():
        column.observe(value, line=line)

    # When the column is resolved
    parse = column.resolve()

    # Then the whole column reads day first, even the lines before 57
    assert parse.order == "dmy"
    assert parse("03/04/2024") == dt.date(2024, 4, 3)
    assert column.day_first_evidence == ("25/04/2024", 57)


def test_a_column_where_only_row_57_shows_the_month_comes_first() -> None:
    # Given the same column from an American CRM, where line 57 reads 04/25/2024
    column = DateColumn(today=TODAY)
    for line in range(2, 200):
        column.observe("04/25/2024" if line == 57 else "03/04/2024", line=line)

    # When the column is resolved
    parse = column.resolve()

    # Then it reads month first
    assert parse.order == "mdy"
    assert parse("03/04/2024") == dt.date(2024, 3, 4)


def test_a_fully_ambiguous_column_reads_day_first_as_in_france() -> None:
    # Given a column whose every date reads both ways
    column = DateColumn(today=TODAY)
    for value in ("03/04/2024", "01/02/2024", "12/11/2023"):
        column.observe(value)

    # When it is resolved
    # Then the French order wins
    assert column.resolve()("03/04/2024") == dt.date(2024, 4, 3)


def test_a_column_mixing_both_orders_names_a_line_of_each() -> None:
    # Given a column with 25/04/2024 on line 12 and 04/25/2024 on line 57
    column = DateColumn(today=TODAY)
    column.observe("25/04/2024", line=12)
    column.observe("04/25/2024", line=57)

    # When it is resolved
    # Then the error shows one example of each order with its line
    with pytest.raises(InvalidValueError) as raised:
        column.resolve()
    assert raised.value.code == "mixed_date_order"
    assert raised.value.params == {
        "day_first_value": "25/04/2024",
        "day_first_line": 12,
        "month_first_value": "04/25/2024",
        "month_first_line": 57,
    }


def test_observing_refuses_a_value_that_is_no_date_in_either_order() -> None:
    # Given a column being observed
    column = DateColumn(today=TODAY)

    # When a value is no date whichever order is taken
    # Then observe names it at once (the first pass reports it with its line)
    with pytest.raises(InvalidValueError) as raised:
        column.observe("31/04/2024", line=9)
    assert raised.value.code == "invalid_date"
    column.observe(None)
    column.observe("")


def test_a_forced_order_checks_each_value_against_it() -> None:
    # Given a column the user declared month first
    column = DateColumn(day_first=False, today=TODAY)
    column.observe("04/25/2024")

    # When a value only readable day first comes
    # Then it is refused, and the parser reads month first
    with pytest.raises(InvalidValueError):
        column.observe("25/04/2024")
    assert column.resolve()("03/04/2024") == dt.date(2024, 3, 4)


def test_iso_compact_and_named_dates_give_no_evidence_and_mix_with_either_order() -> None:
    # Given a column mixing ISO, compact, named-month and month-first dates
    column = DateColumn(today=TODAY)
    for value in ("2024-03-15", "20240316", "17 mars 2024", "04/25/2024", 45292):
        column.observe(value)

    # When it is resolved
    parse = column.resolve()

    # Then the one day/month value decides, and the others read as they are
    assert parse.order == "mdy"
    assert parse("2024-03-15") == dt.date(2024, 3, 15)
    assert parse(45292) == dt.date(2024, 1, 1)


def test_the_parser_reads_a_repeated_value_once_and_gives_the_same_answer() -> None:
    # Given a resolved parser
    parse = DateColumn(today=TODAY).resolve()

    # When the same text is read many times
    results = {parse("15/03/2024") for _ in range(1000)}

    # Then the answer is stable (served from its cache)
    assert results == {dt.date(2024, 3, 15)}
    with pytest.raises(InvalidValueError):
        parse("15/15/2024")


@given(
    st.lists(
        st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2030, 12, 31)), min_size=1, max_size=40
    )
)
def test_any_column_written_day_first_reads_back_exactly(dates: list[dt.date]) -> None:
    # Given any column of dates written dd/mm/yyyy
    column = DateColumn(today=TODAY)
    texts = [f"{day:%d/%m/%Y}" for day in dates]
    for line, text in enumerate(texts, start=2):
        column.observe(text, line=line)

    # When it is resolved and read
    parse = column.resolve()

    # Then every date comes back (day first is also the default)
    assert [parse(text) for text in texts] == dates


@given(
    st.lists(
        st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2030, 12, 31)), min_size=1, max_size=40
    )
)
def test_any_column_written_month_first_reads_back_when_one_day_passes_12(dates: list[dt.date]) -> None:
    # Given any column of dates written mm/dd/yyyy
    column = DateColumn(today=TODAY)
    texts = [f"{day:%m/%d/%Y}" for day in dates]
    for text in texts:
        column.observe(text)
    telling = {text for text, day in zip(texts, dates, strict=True) if day.day > 12}
    both_ways = {text for text, day in zip(texts, dates, strict=True) if day.day <= 12}

    # When it is resolved: refused when fewer distinct dates tell month first than read both ways
    if telling and len(telling) < len(both_ways):
        with pytest.raises(InvalidValueError) as raised:
            column.resolve()
        assert raised.value.code == "date_order_minority"
        return
    parse = column.resolve()
    read = [parse(text) for text in texts]

    # Then it reads back exactly if one day was past the 12th; otherwise it reads as the
    # French order, which only agrees where day and month are equal
    if any(day.day > 12 for day in dates):
        assert read == dates
    else:
        assert parse.order == "dmy"
        assert all((got == day) == (day.day == day.month) for got, day in zip(read, dates, strict=True))


def test_one_month_first_date_among_many_ambiguous_ones_is_refused_with_its_lines() -> None:
    # Given twenty ambiguous dates and one that only reads month first, on line 30
    column = DateColumn(today=TODAY)
    for line in range(2, 22):
        column.observe(f"{line % 12 + 1:02d}/{line % 11 + 1:02d}/2024", line=line)
    column.observe("05/13/2024", line=30)

    # When the column is resolved
    # Then it is refused, naming the line that would have decided it
    with pytest.raises(InvalidValueError) as raised:
        column.resolve()
    assert raised.value.code == "date_order_minority"
    assert raised.value.params["lines"] == "30"
    # and a forced order reads it
    forced = DateColumn(order="mdy", today=TODAY)
    forced.observe("05/13/2024")
    assert forced.resolve()("05/13/2024") == dt.date(2024, 5, 13)


def test_years_outside_the_window_are_refused_with_the_window() -> None:
    # Given a column of sales dates from 1950 to 2025
    column = DateColumn(today=TODAY, years=(1950, 2025))
    column.observe("15/03/2024")

    # When years 0024, 1900 and 2099 come
    # Then each is refused with the window
    for value in ("15/03/0024", "01/01/1900", "2099-03-15", dt.date(1900, 1, 1)):
        with pytest.raises(InvalidValueError) as raised:
            column.observe(value)
        assert raised.value.code == "date_out_of_window"
        assert (raised.value.params["first"], raised.value.params["last"]) == ("1950", "2025")


def test_year_first_order_reads_two_digit_years_first() -> None:
    # Given a column declared year first
    column = DateColumn(order="ymd", today=TODAY)
    column.observe("24/03/15")
    # Then 24/03/15 is 15 March 2024, and a four-digit year last is refused
    assert column.resolve()("24/03/15") == dt.date(2024, 3, 15)
    with pytest.raises(InvalidValueError):
        column.observe("15/03/2024")
