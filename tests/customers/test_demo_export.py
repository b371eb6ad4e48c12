"""`ecoute demo --export`: the CRM files of the simulated retailer, as a French export writes them."""

import csv
import hashlib
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from ecoute.customers.demo.export import FILES, HEADERS, euros, export_demo

TODAY = date(2025, 6, 2)


def _digests(directory: Path) -> dict[str, str]:
    return {
        name: hashlib.sha256((directory / name).read_bytes()).hexdigest() for name, _enc in FILES.values()
    }


def _rows(directory: Path, kind: str) -> list[list[str]]:
    name, encoding = FILES[kind]
    with (directory / name).open(encoding=encoding, newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def test_same_seed_and_same_day_write_identical_files(tmp_path: Path) -> None:
    # Given two exports with the same seed and the same last day
    export_demo(tmp_path / "a", customers=200, seed=7, today=TODAY)
    export_demo(tmp_path / "b", customers=200, seed=7, today=TODAY)

    # Then every file is byte for byte the same
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")


def test_another_seed_writes_other_customers(tmp_path: Path) -> None:
    # Given two exports that differ only by their seed
    export_demo(tmp_path / "a", customers=200, seed=1, today=TODAY)
    export_demo(tmp_path / "b", customers=200, seed=2, today=TODAY)

    # Then no file is the same
    first, second = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert all(first[name] != second[name] for name in first)


def test_files_are_excel_style_french_exports(tmp_path: Path) -> None:
    # When the demo files are exported
    counts = export_demo(tmp_path, customers=200, seed=1, today=TODAY)

    # Then the customer list is Windows-1252 without a byte order mark, the others UTF-8 with one
    clients = (tmp_path / "clients.csv").read_bytes()
    assert not clients.startswith(b"\xef\xbb\xbf")
    assert "N° client;Civilité;Prénom;Nom".encode("cp1252") in clients
    for kind in ("consents", "transactions", "interactions", "loyalty-acts"):
        assert (tmp_path / FILES[kind][0]).read_bytes().startswith(b"\xef\xbb\xbf")
    # And each file has its header, `;` separated, and one line per counted row
    for kind, header in HEADERS.items():
        assert _rows(tmp_path, kind)[0] == list(header)
    assert len(_rows(tmp_path, "transactions")) - 1 == counts.transactions
    # And sales carry dd/mm/yyyy HH:MM dates and amounts with a decimal comma
    order, customer, when, amount, currency, channel, store = _rows(tmp_path, "transactions")[1]
    assert order.startswith("CMD")
    assert customer.startswith("C")
    assert date(int(when[6:10]), int(when[3:5]), int(when[0:2])) < TODAY
    assert when[10] == " "
    assert when[13] == ":"
    assert "," in amount
    assert "." not in amount
    assert currency == "EUR"
    assert (channel, store) in {("Web", "Web")} or channel == "Magasin"


@pytest.mark.parametrize(
    ("cents", "text"),
    [(5, "0,05"), (12_345, "123,45"), (123_456, "1\u00a0234,56"), (123_456_789, "1\u00a0234\u00a0567,89")],
)
def test_amounts_are_written_the_french_way(cents: int, text: str) -> None:
    assert euros(cents) == text


def test_nothing_in_the_files_happens_after_today(tmp_path: Path) -> None:
    # Given an export ending on TODAY
    export_demo(tmp_path, customers=300, seed=3, today=TODAY)

    # Then every date of every file is before TODAY
    date_column = {"consents": 4, "transactions": 2, "interactions": 3, "loyalty-acts": 3, "customers": 12}
    for kind, at in date_column.items():
        for row in _rows(tmp_path, kind)[1:]:
            day = date(int(row[at][6:10]), int(row[at][3:5]), int(row[at][0:2]))
            assert day < TODAY, (kind, row)


def test_export_command_writes_the_five_files(tmp_path: Path) -> None:
    # When the command exports 50 customers
    call_command(
        "demo", "--export", str(tmp_path), "--customers", "50", "--seed", "3", "--today", "2025-06-02"
    )

    # Then the five files are there, the same as the exporter writes
    export_demo(tmp_path / "again", customers=50, seed=3, today=TODAY)
    assert _digests(tmp_path) == _digests(tmp_path / "again")
