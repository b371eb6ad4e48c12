"""Reading transaction files as French exports write them."""

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from ecoute.analytics.btyd import transaction_log
from ecoute.analytics.btyd.transaction_log import (
    BadValueError,
    EmptyFileError,
    FieldCountError,
    MissingColumnError,
    TransactionLog,
    read_transaction_log,
)

EPOCH = dt.date(1970, 1, 1)


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "transactions.csv"
    path.write_bytes(text.encode(encoding))
    return path


def dates(log: TransactionLog) -> list[dt.date]:
    return [EPOCH + dt.timedelta(days=int(day)) for day in log.day]


def ids(log: TransactionLog) -> list[str]:
    return log.decoded_ids(log.customer)


def test_french_export_with_semicolons_comma_decimals_and_cp1252(tmp_path: Path) -> None:
    # given a Windows export: cp1252, semicolons, dd/mm/yyyy, decimal commas, spaces, no-break
    # spaces and narrow no-break spaces between thousands, a euro sign, CRLF and a blank line
    text = (
        "client;date;montant\r\n"
        "Zoé;05/01/2024;1 234,50 €\r\n"
        "B;06/01/2024;12,5\r\n"
        "\r\n"
        "Zoé;07/01/2024;-3\r\n"
        "C;08/01/2024;1\u00a0000,00\r\n"
    )
    path = write(tmp_path, text, "cp1252")
    # when it is read with the French column names
    log = read_transaction_log(path, customer_column="client", date_column="date", amount_column="montant")
    # then every row is there, parsed
    assert ids(log) == ["Zoé", "B", "Zoé", "C"]
    assert dates(log) == [dt.date(2024, 1, d) for d in (5, 6, 7, 8)]
    assert log.amount is not None
    assert log.amount.tolist() == [1234.5, 12.5, -3.0, 1000.0]


def test_utf8_with_bom_tabs_iso_and_compact_dates(tmp_path: Path) -> None:
    text = "\ufeffcustomer_id\tdate\tamount\n1\t2024-02-29\t1.5\n2\t20240301\t2\n3\t2024-03-02 10:15:00\t3\n"
    log = read_transaction_log(write(tmp_path, text))
    assert ids(log) == ["1", "2", "3"]
    assert dates(log) == [dt.date(2024, 2, 29), dt.date(2024, 3, 1), dt.date(2024, 3, 2)]


def test_comma_delimited_file_with_quoted_decimal_commas(tmp_path: Path) -> None:
    text = 'customer_id,date,amount\n"A, Inc.",01/02/2024,"12,50"\nB,1/2/2024,"1\u202f000,25"\n'
    log = read_transaction_log(write(tmp_path, text))
    assert ids(log) == ["A, Inc.", "B"]
    assert dates(log) == [dt.date(2024, 2, 1)] * 2
    assert log.amount is not None
    assert log.amount.tolist() == [12.5, 1000.25]


def test_ids_keep_leading_zeros_and_share_codes(tmp_path: Path) -> None:
    text = "customer_id;date\n007;2024-01-01\n7;2024-01-02\n007;2024-01-03\n"
    log = read_transaction_log(write(tmp_path, text))
    assert ids(log) == ["007", "7", "007"]
    assert log.customer[0] == log.customer[2] != log.customer[1]
    assert log.amount is None


@pytest.mark.parametrize(
    "customers",
    [
        ["C0010", "C0002", "C0100", "C0002"],  # one prefix, then digits: ordered by a lookup table
        ["C0010", "D0002", "C0100", "D0002"],  # no prefix shared by all: ordered by a sort
        ["AB-10", "AB-02", "AB-99", "AB-02"],
    ],
)
def test_ids_of_a_prefix_and_digits_are_ordered_as_text(tmp_path: Path, customers: list[str]) -> None:
    # given ids of one width, with or without a prefix shared by every id
    text = "customer_id;date\n" + "".join(f"{customer};01/02/2024\n" for customer in customers)
    # when the file is read
    log = read_transaction_log(write(tmp_path, text))
    # then the distinct ids come in text order and each row keeps its own
    assert log.decoded_ids(np.arange(log.customer_ids.size)) == sorted(set(customers))
    assert ids(log) == customers


def test_many_rows_are_read_in_blocks_without_losing_any(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given many more rows than one block of the reader holds, ids of mixed width
    monkeypatch.setattr(transaction_log, "_BLOCK_BYTES", 1 << 16)
    rows = 100_000
    rng = np.random.default_rng(3)
    customer = rng.integers(0, 50_000, rows)
    lines = [
        f"C{c};{1 + i % 28:02d}/0{1 + i % 9}/2023;{i % 1000},{i % 100:02d}" for i, c in enumerate(customer)
    ]
    path = write(tmp_path, "customer_id;date;amount\n" + "\n".join(lines))
    # when the file is read
    log = read_transaction_log(path)
    # then every row is there and ids map back to the same text
    assert log.rows == rows
    assert ids(log)[:3] == [f"C{c}" for c in customer[:3]]
    assert log.amount is not None
    assert log.amount[-1] == pytest.approx((rows - 1) % 1000 + ((rows - 1) % 100) / 100)


def test_a_quoted_newline_across_blocks_stays_in_its_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transaction_log, "_BLOCK_BYTES", 64)
    filler = "".join(f"A{i};01/01/2024;1\n" for i in range(5))
    path = write(
        tmp_path, f'customer_id;date;amount\n{filler}"multi\nline id";02/01/2024;2\nB;03/01/2024;3\n'
    )
    log = read_transaction_log(path)
    assert ids(log)[-2:] == ["multi\nline id", "B"]
    assert dates(log)[-1] == dt.date(2024, 1, 3)


def test_missing_column_names_it_and_lists_the_columns_found(tmp_path: Path) -> None:
    path = write(tmp_path, "client;jour;montant\nA;01/01/2024;1\n")
    with pytest.raises(MissingColumnError) as error:
        read_transaction_log(path, customer_column="client")
    assert error.value.column == "date"
    assert error.value.found == ["client", "jour", "montant"]


def test_unparseable_date_names_line_column_and_value(tmp_path: Path) -> None:
    path = write(tmp_path, "customer_id;date;amount\nA;01/01/2024;1\nB;31/02/2024;2\n")
    with pytest.raises(BadValueError) as error:
        read_transaction_log(path)
    assert (error.value.line, error.value.column, error.value.value, error.value.kind) == (
        3,
        "date",
        "31/02/2024",
        "date",
    )


def test_unparseable_amount_names_line_column_and_value(tmp_path: Path) -> None:
    path = write(tmp_path, "customer_id;date;amount\nA;01/01/2024;1\n\nB;02/01/2024;douze\n")
    with pytest.raises(BadValueError) as error:
        read_transaction_log(path)
    assert (error.value.line, error.value.column, error.value.value, error.value.kind) == (
        4,
        "amount",
        "douze",
        "amount",
    )


def test_a_row_with_too_many_fields_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "customer_id;date;amount\nA;01/01/2024;1\nB;02/01/2024;2;extra\n")
    with pytest.raises(FieldCountError) as error:
        read_transaction_log(path)
    assert (error.value.line, error.value.expected, error.value.found) == (3, 3, 4)


@pytest.mark.parametrize("text", ["", "customer_id;date;amount\n", "\n\n"])
def test_a_file_without_transactions_is_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(EmptyFileError):
        read_transaction_log(write(tmp_path, text))


@pytest.mark.parametrize(
    "make_id",
    [
        pytest.param(lambda i: f"{i % 700:07d}", id="digits-of-one-width"),
        pytest.param(lambda i: f"C{i % 700:06d}", id="prefix-and-digits"),
        pytest.param(
            lambda i: f"{i % 700:05d}" if i < 1500 else f"K{i % 700:04d}", id="shape-changes-midway"
        ),
        pytest.param(lambda i: f"{i % 700:05d}" if i < 1500 else f"{i % 700:06d}", id="width-changes-midway"),
        pytest.param(lambda i: str(i % 700), id="digits-of-several-widths"),
    ],
)
def test_ids_read_chunk_by_chunk_are_the_ids_of_the_whole_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_id: Callable[[int], str]
) -> None:
    # given ids whose shape may change from one chunk of rows to the next
    customers = [make_id(i) for i in range(600)]
    lines = [f"{c};{1 + i % 28:02d}/01/2024;{i % 50},5" for i, c in enumerate(customers)]
    path = write(tmp_path, "customer_id;date;amount\n" + "\n".join(lines) + "\n")
    # when the file is read in small blocks and chunks, and in one block and one chunk
    whole = read_transaction_log(path)
    monkeypatch.setattr(transaction_log, "_BLOCK_BYTES", 1 << 10)
    # (chunks of one row: every chunk's ids are of one shape, which may not be the next one's)
    monkeypatch.setattr(transaction_log, "_CHUNK_ROWS", 1)
    pieces = read_transaction_log(path)
    # then both give every row its own id, and the same table of distinct ids in the same order
    assert ids(pieces) == customers
    assert ids(whole) == customers
    assert pieces.customer_ids.tolist() == whole.customer_ids.tolist()
    assert sorted(raw.decode() for raw in whole.customer_ids.tolist()) == sorted(set(customers))


def test_a_bad_value_is_reported_before_a_bad_line_in_a_later_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a bad date on line 3 and a line with too many fields in the next block (which is
    # split while the one before is parsed)
    monkeypatch.setattr(transaction_log, "_BLOCK_BYTES", 256)
    filler = "".join(f"A{i};01/01/2024;1\n" for i in range(40))
    path = write(tmp_path, f"customer_id;date;amount\nA;01/01/2024;1\nB;31/02/2024;1\n{filler}C;1;2;3\n")
    # when the file is read
    with pytest.raises(BadValueError) as error:
        read_transaction_log(path)
    # then the first problem of the file is the one reported
    assert (error.value.line, error.value.kind, error.value.value) == (3, "date", "31/02/2024")


def test_a_bad_value_is_reported_before_a_bad_line_later_in_the_same_block(tmp_path: Path) -> None:
    # given a bad amount on line 3 and a line with too few fields on line 5, in one block
    path = write(
        tmp_path,
        "customer_id;date;amount\nA;01/01/2024;1\nB;02/01/2024;douze\nC;03/01/2024;3\nD;04/01/2024\n",
    )
    # when the file is read
    with pytest.raises(BadValueError) as error:
        read_transaction_log(path)
    # then the first problem of the file is the one reported
    assert (error.value.line, error.value.kind, error.value.value) == (3, "amount", "douze")


def test_a_bad_late_block_reports_its_first_bad_row_whatever_the_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a file of several blocks whose first problem is a bad amount late in the file, a bad
    # date on the next line and an id too long after it, and a later block with a bad line
    monkeypatch.setattr(transaction_log, "_BLOCK_BYTES", 256)
    good = [f"A{i};01/01/2024;1\n" for i in range(60)]
    good[40] = "B;02/01/2024;douze\n"
    good[41] = "C;31/02/2024;1\n"
    good[42] = "x" * 300 + ";03/01/2024;1\n"
    good[55] = "D;04/01/2024\n"
    path = write(tmp_path, "customer_id;date;amount\n" + "".join(good))
    # when the file is read
    with pytest.raises(BadValueError) as error:
        read_transaction_log(path)
    # then the bad amount, the first problem row after row, is the one reported, on its line
    assert (error.value.line, error.value.kind, error.value.value) == (42, "amount", "douze")


def test_in_one_row_the_first_bad_column_is_reported(tmp_path: Path) -> None:
    # given a row whose date (second column) and customer id (third) are both bad
    path = write(tmp_path, "amount;date;customer_id\n1;01/01/2024;A\n2;31/02/2024;" + "x" * 300 + "\n")
    # when the file is read
    with pytest.raises(BadValueError) as error:
        read_transaction_log(path)
    # then the date, the first bad field of the row, is reported
    assert (error.value.line, error.value.kind) == (3, "date")
