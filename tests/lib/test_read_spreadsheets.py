"""Reading xlsx and ods workbooks, as Excel and LibreOffice save them."""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from ecoute.lib import table_limits
from ecoute.lib.dates import DateColumn
from ecoute.lib.tabular import TabularError, open_table
from ecoute.lib.values import parse_bool, parse_decimal

from .spreadsheet_files import Rows, write_ods, write_xlsx

DATA = Path(__file__).resolve().parents[1] / "data"


def test_an_excel_sales_export_gives_typed_cells_below_its_title_row() -> None:
    # Given a sales workbook saved from Excel, with a title row above the header
    # When it is opened
    with open_table(DATA / "ventes_excel.xlsx") as table:
        rows = list(table.rows())

    # Then the header is found below the title, and cells keep their types
    assert (table.kind, table.sheet_name, table.header_line) == ("xlsx", "Ventes", 3)
    assert (table.encoding, table.delimiter) == (None, None)
    assert table.headers == [
        "N° client", "Date d'achat", "Livraison", "Montant TTC", "Payé", "Magasin", "Commentaire",
    ]  # fmt: skip
    assert [line for line, _ in rows] == [4, 5, 6, 8]
    assert rows[0][1] == [10023, dt.date(2024, 3, 1), 45355, 12.5, True, "Lyon", None]
    assert rows[1][1][1] == dt.datetime(2024, 3, 2, 14, 30)
    assert rows[3][1] == ["C-77", dt.date(2024, 3, 31), None, 0.1, None, "Nantes", None]


def test_excel_serial_dates_that_lost_their_format_are_read_as_dates() -> None:
    # Given the delivery column of the Excel export, holding bare serial numbers
    column = DateColumn()
    with open_table(DATA / "ventes_excel.xlsx") as table:
        for line, values in table.rows():
            column.observe(values[2], line=line)
        parse = column.resolve()

        # When the column is read
        delivered = [parse(values[2]) for _, values in table.rows() if values[2] is not None]

    # Then serials are dates, and a fraction of a day is a time
    assert delivered == [dt.date(2024, 3, 4), dt.datetime(2024, 3, 4, 12, 0), dt.date(2024, 3, 15)]


def test_amounts_and_flags_from_a_sheet_read_like_text_ones() -> None:
    # Given the amount and paid columns of the Excel export
    with open_table(DATA / "ventes_excel.xlsx") as table:
        rows = [values for _, values in table.rows()]

    # When they are parsed
    # Then floats give exact decimals and booleans stay booleans
    assert [parse_decimal(values[3]) for values in rows] == [
        parse_decimal("12,50"), parse_decimal("1 234,56"), parse_decimal("-15"), parse_decimal("0,1"),
    ]  # fmt: skip
    assert [parse_bool(values[4]) for values in rows[:3]] == [True, False, True]


def test_a_libreoffice_customer_list_is_read() -> None:
    # Given a customer list saved by LibreOffice Calc
    # When it is opened
    with open_table(DATA / "clients_libreoffice.ods") as table:
        rows = list(table.rows())
        preview = table.preview(2)

    # Then it reads like the Excel one, dates included
    assert (table.kind, table.sheet_name, table.header_line) == ("ods", "Clients", 1)
    assert table.headers == ["Code client", "Nom", "Prénom", "Date de création", "CA TTC", "Newsletter"]
    assert rows[0] == (2, ["C001", "Lefèvre", "Hélène", dt.date(2019, 5, 17), 1520.3, True])
    assert rows[2][1][3] == dt.datetime(2024, 1, 8, 9, 15)
    assert preview == [
        ["C001", "Lefèvre", "Hélène", "2019-05-17", "1520.3", "True"],
        ["C002", "Œuvray", "Zoé", "2023-11-02", "89.9", "False"],
    ]


@pytest.mark.parametrize("write", [write_xlsx, write_ods])
def test_line_numbers_are_sheet_row_numbers_even_below_empty_rows(
    write: Callable[[Path, Rows], Path], tmp_path: Path
) -> None:
    # Given a sheet whose table starts at B3 (calamine gives rows from the first one)
    path = write(tmp_path / "decale", [[], [], [None, "Nom", "Ville"], [None, "Durand", "Lyon"]])

    # When it is read
    with open_table(path) as table:
        rows = list(table.rows())

    # Then lines are the row numbers a user sees in the spreadsheet
    assert (table.header_line, table.headers) == (3, ["Nom", "Ville"])
    assert rows == [(4, ["Durand", "Lyon"])]


def test_a_column_with_data_but_no_header_keeps_its_place(tmp_path: Path) -> None:
    # Given a sheet with an unnamed column between named ones
    path = write_xlsx(tmp_path / "trou.xlsx", [["Nom", None, "Ville"], ["Durand", "note", "Lyon"]])

    # When it is read
    with open_table(path) as table:
        rows = list(table.rows())

    # Then the unnamed column is there with a name of its own, and no row is ragged
    assert table.headers == ["Nom", "column 2", "Ville"]
    assert rows == [(2, ["Durand", "note", "Lyon"])]


def test_the_first_sheet_with_data_is_read_unless_one_is_named(tmp_path: Path) -> None:
    # Given a workbook whose first sheet is empty and second holds data
    path = write_xlsx(
        tmp_path / "classeur.xlsx",
        [["Nom"], ["Durand"]],
        sheet="Clients",
        before={"Vide": [], "Notes": [["À relire"], ["lundi"]]},
    )

    # When it is opened with and without a sheet name
    with open_table(path) as default, open_table(path, sheet="Clients") as named:
        # Then the first non-empty sheet is the default and a name picks another
        assert default.sheet_names == ["Vide", "Notes", "Clients"]
        assert default.sheet_name == "Notes"
        assert list(named.rows()) == [(2, ["Durand"])]

    with pytest.raises(TabularError) as raised:
        open_table(path, sheet="Ventes")
    assert raised.value.code == "sheet_not_found"
    assert raised.value.params == {"sheet": "Ventes", "available": "Vide, Notes, Clients"}


def test_a_workbook_can_be_read_from_an_upload_in_memory(tmp_path: Path) -> None:
    # Given an uploaded workbook as a file object
    upload = io.BytesIO(write_ods(tmp_path / "x.ods", [["Nom"], ["Durand"]]).read_bytes())

    # When it is opened
    with open_table(upload, original_name="clients.ods") as table:
        rows = list(table.rows())

    # Then it reads like a file on disk
    assert (table.name, table.kind, rows) == ("clients.ods", "ods", [(2, ["Durand"])])


def test_a_truncated_workbook_is_reported_as_damaged(tmp_path: Path) -> None:
    # Given an xlsx cut short by an interrupted upload
    data = write_xlsx(tmp_path / "ok.xlsx", [["Nom"], ["Durand"]]).read_bytes()

    # When it is opened
    # Then it is refused as damaged, not with calamine's own exception
    with pytest.raises(TabularError) as raised:
        open_table(io.BytesIO(data[: len(data) // 2]))
    assert raised.value.code == "corrupt_spreadsheet"


def test_a_workbook_with_broken_xml_inside_is_reported_as_damaged(tmp_path: Path) -> None:
    # Given an xlsx whose sheet XML is cut in the middle
    good = write_xlsx(tmp_path / "ok.xlsx", [["Nom"], ["Durand"]])
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            target.writestr(name, content[:60] if name.endswith("sheet1.xml") else content)

    # When it is opened
    # Then the error code says it is damaged and the detail says where
    with pytest.raises(TabularError) as raised:
        open_table(broken)
    assert raised.value.code == "corrupt_spreadsheet"
    assert raised.value.params["detail"]


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    # Given a Word document (a zip too)
    path = tmp_path / "lettre.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")

    # When it is opened
    # Then it is an unsupported format
    with pytest.raises(TabularError) as raised:
        open_table(path)
    assert raised.value.code == "unsupported_format"
    assert raised.value.params == {"detected": "zip"}


def test_an_empty_workbook_is_an_empty_file(tmp_path: Path) -> None:
    # Given a workbook whose only sheet is empty
    path = write_xlsx(tmp_path / "vide.xlsx", [])

    # When it is opened
    # Then it is refused as empty
    with pytest.raises(TabularError) as raised:
        open_table(path)
    assert raised.value.code == "empty_file"


def test_a_zip_bomb_is_refused_before_calamine_unpacks_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a workbook that unpacks to more than the limit (lowered here to 1 KB)
    monkeypatch.setattr(table_limits, "MAX_UNPACKED_BYTES", 1024)
    path = write_xlsx(tmp_path / "bombe.xlsx", [["Nom"], *([["x" * 100]] * 50)])

    # When it is opened
    # Then it is refused with the limit in the params
    with pytest.raises(TabularError) as raised:
        open_table(path)
    assert raised.value.code == "spreadsheet_too_large"


@pytest.mark.parametrize("fixture", ["ventes_excel.xlsx", "clients_libreoffice.ods"])
def test_damaged_workbooks_never_raise_anything_but_a_tabular_error(fixture: str) -> None:
    # Given workbooks with random bytes overwritten or cut short (seeded, so repeatable)
    data = (DATA / fixture).read_bytes()
    rng = random.Random(fixture)
    codes: set[str] = set()
    for _ in range(150):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        if rng.random() < 0.2:
            del damaged[rng.randrange(len(damaged)) :]

        # When each is opened and read
        try:
            with open_table(io.BytesIO(bytes(damaged))) as table:
                list(table.rows(ragged="keep"))
        except TabularError as error:
            codes.add(error.code)

    # Then each one read, or failed with a reason code about the file
    assert "corrupt_spreadsheet" in codes
    assert codes <= {"corrupt_spreadsheet", "unsupported_format", "empty_file", "no_header"}
