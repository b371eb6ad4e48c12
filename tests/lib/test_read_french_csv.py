"""Reading CSV exports as French CRMs, tills and Excel write them."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecoute.lib.dates import DateColumn
from ecoute.lib.tabular import Table, TabularError, open_table


def read_all(data: bytes) -> tuple[Table, list[tuple[int, list[object]]]]:
    with open_table(io.BytesIO(data)) as table:
        return table, [(line, list(values)) for line, values in table.rows()]


def test_a_windows_1252_till_export_with_semicolons_is_read() -> None:
    # Given a till export as French Excel saves "CSV (séparateur: point-virgule)"
    data = (
        "N° client;Nom;Prénom;Ville;Montant TTC\r\n"
        "C0001;Lefèvre;Hélène;Besançon;12,50 €\r\n"
        "C0002;Œuvray;Zoé;Saint-Étienne;1\u00a0234,56 €\r\n"
    ).encode("cp1252")

    # When it is read
    table, rows = read_all(data)

    # Then the encoding and delimiter are found and accents come back intact
    assert (table.kind, table.encoding, table.delimiter) == ("csv", "cp1252", ";")
    assert table.headers == ["N° client", "Nom", "Prénom", "Ville", "Montant TTC"]
    assert rows == [
        (2, ["C0001", "Lefèvre", "Hélène", "Besançon", "12,50 €"]),
        (3, ["C0002", "Œuvray", "Zoé", "Saint-Étienne", "1\u00a0234,56 €"]),
    ]


def test_an_excel_utf8_export_loses_its_byte_order_mark() -> None:
    # Given Excel's "CSV UTF-8" export: a BOM, then the header
    data = codecs.BOM_UTF8 + "Code client;Montant\r\nC1;12\u202f345,67 €\r\n".encode()

    # When it is read
    table, rows = read_all(data)

    # Then the BOM is not part of the first header and the narrow no-break space survives
    assert table.encoding == "utf-8-sig"
    assert table.headers == ["Code client", "Montant"]
    assert rows == [(2, ["C1", "12\u202f345,67 €"])]


def test_excel_unicode_text_export_in_utf16_with_tabs_is_read() -> None:
    # Given Excel's "Texte Unicode" export: UTF-16 with a BOM, tab separated
    data = "Nom\tVille\r\nDurand\tLyon\r\n".encode("utf-16")

    # When it is read
    table, rows = read_all(data)

    # Then it is decoded and split on tabs
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert rows == [(2, ["Durand", "Lyon"])]


def test_quoted_multi_line_addresses_keep_line_numbers_of_the_editor() -> None:
    # Given a CRM export whose addresses hold line breaks and semicolons inside quotes
    data = (
        "Nom;Adresse;Ville\r\n"
        'Martin;"12 rue des Lilas\r\nBâtiment B; 2e étage";Nantes\r\n'
        "Bernard;3 place du Marché;Rennes\r\n"
        '"Petit; fils";"Lieu-dit ""Les Granges""\r\n\r\nBP 12";Vannes\r\n'
        "Roux;;Brest\r\n"
    ).encode()

    # When it is read
    _, rows = read_all(data)

    # Then each record starts on the physical line a text editor shows
    assert [line for line, _ in rows] == [2, 4, 5, 8]
    assert rows[0][1] == ["Martin", "12 rue des Lilas\r\nBâtiment B; 2e étage", "Nantes"]
    assert rows[2][1] == ["Petit; fils", 'Lieu-dit "Les Granges"\r\n\r\nBP 12', "Vannes"]
    assert rows[3][1] == ["Roux", None, "Brest"]


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("nom;montant\nDupont;12,50\nDurand;3,10\n", ";"),
        ("name,amount\nSmith,12.50\nJones,3.10\n", ","),
        ("nom\tmontant\nDupont\t12,50\n", "\t"),
        ("nom|montant\nDupont|12,50\n", "|"),
        ('"Nom, prénom";Montant\n"Dupont, Jean";12,50\n', ";"),
        ("Export du 12/03/2024\n\nname,amount\nSmith,12.50\nJones,3.10\n", ","),
    ],
)
def test_the_delimiter_is_the_one_that_splits_every_record_like_the_header(text: str, delimiter: str) -> None:
    # Given an export with one of the usual delimiters (and commas inside French amounts)
    # When it is read
    table, rows = read_all(text.encode())

    # Then the delimiter is detected (below a title line too) and every row is as wide
    # as the header
    assert table.delimiter == delimiter
    assert len(table.headers) == 2
    assert all(len(values) == 2 for _, values in rows)


def test_values_are_stripped_and_blank_ones_are_none() -> None:
    # Given fields padded with spaces, and an empty one
    # When it is read
    _, rows = read_all(b"a;b;c\n  x  ;   ;\n")

    # Then values are stripped and blanks are None
    assert rows == [(2, ["x", None, None])]


def test_blank_lines_and_rows_of_empty_fields_are_skipped_but_counted() -> None:
    # Given an export with blank lines and a trailing ";;" line as Excel leaves them
    # When it is read
    _, rows = read_all(b"\r\na;b\r\n\r\n1;2\r\n;\r\n3;4\r\n")

    # Then only data rows are given, with their real line numbers
    assert rows == [(4, ["1", "2"]), (6, ["3", "4"])]


def test_title_rows_above_the_header_are_skipped() -> None:
    # Given a CSV saved from a sheet with a title and a blank row above the header
    data = "Export clients du 12/03/2024;;;\r\n;;;\r\nCode client;Nom;Ville;CP\r\nC1;Roux;Brest;29200\r\n"

    # When it is read
    table, rows = read_all(data.encode("cp1252"))

    # Then the header is the first full row and lines still count from the top
    assert (table.header_line, table.headers) == (3, ["Code client", "Nom", "Ville", "CP"])
    assert rows == [(4, ["C1", "Roux", "Brest", "29200"])]


def test_a_till_export_whose_dates_only_show_their_order_on_line_57() -> None:
    # Given a till export where every date reads both ways except 25/04/2024 on line 57
    lines = ["N° ticket;Date;Montant"]
    for line in range(2, 120):
        day = "25/04/2024" if line == 57 else f"{line % 12 + 1:02d}/{line % 7 + 1:02d}/2024"
        lines.append(f"T{line};{day};{line},50")
    data = ("\r\n".join(lines) + "\r\n").encode("cp1252")

    # When the importer's first pass observes the column and the second reads it
    column = DateColumn()
    with open_table(io.BytesIO(data)) as table:
        for line, values in table.rows():
            column.observe(values[1], line=line)
        parse = column.resolve()
        dates = {line: parse(values[1]) for line, values in table.rows()}

    # Then every line, before 57 too, is read day first
    assert column.day_first_evidence == ("25/04/2024", 57)
    assert dates[2] == dt.date(2024, 3, 3)
    assert dates[3] == dt.date(2024, 4, 4)
    assert dates[10] == dt.date(2024, 4, 11)


def test_old_mac_line_endings_are_lines_too() -> None:
    # Given a file with bare \r line ends
    # When it is read
    _, rows = read_all(b"a;b\r1;2\r3;4\r")

    # Then each \r ends a record
    assert rows == [(2, ["1", "2"]), (3, ["3", "4"])]


def test_a_ragged_row_names_its_line() -> None:
    # Given a row with fewer fields than the header on line 3
    data = b"a;b;c\n1;2;3\n4;5\n"

    # When it is read
    # Then the error names the line and both counts
    with pytest.raises(TabularError) as raised:
        read_all(data)
    assert raised.value.code == "ragged_row"
    assert raised.value.params == {"line": 3, "found": 2, "expected": 3}


def test_ragged_rows_can_be_kept_for_a_rejects_file() -> None:
    # Given rows too short and too long
    data = b"a;b\n1\n2;3;4\n5;6\n"

    # When read while keeping ragged rows
    with open_table(io.BytesIO(data)) as table:
        rows = list(table.rows(ragged="keep"))

    # Then they come as they are, for the caller to reject
    assert rows == [(2, ["1"]), (3, ["2", "3", "4"]), (4, ["5", "6"])]


def test_trailing_empty_fields_beyond_the_header_are_dropped() -> None:
    # Given a header with a trailing delimiter and rows with extra empty fields
    # When it is read
    table, rows = read_all(b"a;b;\n1;2;;\n3;4\n")

    # Then the empty trailing header is dropped and no row is ragged
    assert table.headers == ["a", "b"]
    assert rows == [(2, ["1", "2"]), (3, ["3", "4"])]


def test_rows_can_be_read_twice_even_interleaved() -> None:
    # Given an open export (two passes: validate, then write)
    data = b"a;b\n" + b"".join(b"%d;x\n" % index for index in range(30_000))
    with open_table(io.BytesIO(data)) as table:
        # When two passes run at the same time over the same handle
        first, second = table.rows(), table.rows()
        pairs = [(next(first), next(second)) for _ in range(20_000)]
        rest = list(first)

    # Then each pass sees every row in order
    assert all(one == other for one, other in pairs)
    assert rest[-1] == (30_001, ["29999", "x"])


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"\r\n  \r\n", "empty_file"),
        (codecs.BOM_UTF8, "empty_file"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "unsupported_format"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "unsupported_format"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "unsupported_format"),
        (bytes(range(256)) * 50, "unsupported_format"),
        (b"<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table>", "unsupported_format"),
        (b"C001;dupont@exemple.fr;12,50;15/03/2024\nC002;durand@exemple.fr;3;16/03/2024\n", "no_header"),
    ],
)
def test_files_that_are_not_a_table_with_a_header_are_refused(data: bytes, code: str) -> None:
    # Given an empty file, a blank one, a PDF, an image, an old .xls, random bytes, an
    # HTML page saved as .xls by a web CRM, or a CSV without header
    # When it is opened
    # Then it is refused with a reason code
    with pytest.raises(TabularError) as raised:
        open_table(io.BytesIO(data))
    assert raised.value.code == code


def test_a_missing_file_is_an_error_with_a_code(tmp_path: Path) -> None:
    # Given a path to nothing
    # When it is opened
    # Then the error says so
    with pytest.raises(TabularError) as raised:
        open_table(tmp_path / "absent.csv")
    assert raised.value.code == "unreadable_file"


def test_a_path_is_opened_and_closed_by_the_table(tmp_path: Path) -> None:
    # Given an export on disk uploaded as "clients.csv"
    path = tmp_path / "upload-7f3a"
    path.write_bytes(b"nom\nDupont\n")

    # When it is opened with its original name
    with open_table(path, original_name="clients.csv") as table:
        rows = list(table.rows())
        preview = table.preview()

    # Then the name is kept for messages, the rows are read and the file is closed
    assert table.name == "clients.csv"
    assert rows == [(2, ["Dupont"])]
    assert preview == [["Dupont"]]
    with pytest.raises(ValueError, match="closed file"):
        list(table.rows())


def test_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    # Given a 50 MB export
    path = tmp_path / "big.csv"
    line = "C{:07d};Lefèvre;Hélène;12 rue des Lilas;75011;Paris;15/03/2024;1 234,56 €;" + "x" * 900 + "\r\n"
    with path.open("w", encoding="cp1252", newline="") as handle:
        handle.write("N° client;Nom;Prénom;Adresse;CP;Ville;Date;Montant;Note\r\n")
        handle.writelines(line.format(index) for index in range(55_000))
    assert path.stat().st_size > 50_000_000

    # When every row is read under tracemalloc
    tracemalloc.start()
    try:
        with open_table(path) as table:
            count = sum(1 for _ in table.rows())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # Then the whole file went through with a peak far below its size
    assert count == 55_000
    assert peak < 5_000_000


records = st.lists(
    st.lists(
        st.text(alphabet=st.sampled_from('ab é;,"\n\r\t'), max_size=8),
        min_size=3,
        max_size=3,
    ),
    min_size=1,
    max_size=15,
)


@settings(max_examples=150, deadline=None)
@given(records)
def test_any_quoted_export_round_trips_with_its_line_numbers(rows: list[list[str]]) -> None:
    # Given any records written by csv.writer (quotes, delimiters and line breaks inside)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["un", "deux", "trois"])
    expected = []
    line = 2
    for row in rows:
        text = io.StringIO(newline="")
        csv.writer(text, delimiter=";", lineterminator="\r\n").writerow(row)
        written = text.getvalue()
        buffer.write(written)
        values = [value.strip() or None for value in row]
        if any(values):
            expected.append((line, values))
        # Physical lines in the record, counting \r\n as one end and a lone \r or \n as one.
        line += written.replace("\r\n", "\n").replace("\r", "\n").count("\n")

    # When it is read back
    with open_table(io.BytesIO(buffer.getvalue().encode())) as table:
        got = [(number, list(values)) for number, values in table.rows(ragged="keep")]

    # Then values and line numbers are the ones written
    assert table.delimiter == ";"
    assert got == expected
