"""Broken structure is found and named: unclosed quotes, unnamed columns, title and totals lines."""

from __future__ import annotations

import io

import pytest

from ecoute.lib.tabular import Cell, Table, TabularError, open_table


def read_all(data: bytes, **options: int) -> tuple[Table, list[tuple[int, list[Cell]]]]:
    with open_table(io.BytesIO(data), **options) as table:  # type: ignore[arg-type]
        return table, list(table.rows(ragged="keep"))


def test_an_unclosed_quote_swallowing_the_next_rows_names_its_line() -> None:
    # Given a CRM export where one comment opens a quote that the next rows close too late
    rows = "".join(f"C{n};Nom{n};Ville{n};ok\r\n" for n in range(4, 40))
    data = (
        "N° client;Nom;Ville;Commentaire\r\n"
        "C1;Martin;Paris;ok\r\n"
        'C2;Durand;Lyon;"Très bon client\r\n'
        f'{rows}C99;Petit;Nantes;"fin"\r\n'
    ).encode()

    # When it is read
    # Then the line where the quote opens is named, rather than one huge comment
    with pytest.raises(TabularError) as raised:
        read_all(data)
    assert raised.value.code == "unclosed_quote"
    assert raised.value.params["line"] == 3


def test_a_quoted_multi_line_note_is_not_an_unclosed_quote() -> None:
    # Given a genuine note on three lines, one of them with a semicolon
    data = 'Nom;Adresse;Ville;Note\r\nMartin;"12 rue\r\nBât. B; 2e";Nantes;"a\r\nb"\r\n'.encode()

    # When it is read
    _table, rows = read_all(data)

    # Then it is one record
    assert rows == [(2, ["Martin", "12 rue\r\nBât. B; 2e", "Nantes", "a\r\nb"])]


def test_columns_without_a_name_get_distinct_names() -> None:
    # Given a header with two empty cells
    data = b"Nom;;Ville;;Pays\r\nMartin;x;Paris;y;France\r\n"

    # When it is read
    table, _rows = read_all(data)

    # Then each has a name of its own, by position
    assert table.headers == ["Nom", "column 2", "Ville", "column 4", "Pays"]


def test_a_title_line_with_several_cells_above_the_header_is_skipped() -> None:
    # Given a Sage export: a title line with three filled cells above a four-column header
    data = (
        "Export clients;Société Dupont SA;Édité le 01/03/2024\r\n"
        "N° client;Nom;Prénom;Ville\r\n"
        "C1;Martin;Anne;Paris\r\n"
    ).encode()

    # When it is read
    table, rows = read_all(data)

    # Then the header is the line whose cells are column names
    assert (table.header_line, table.headers) == (2, ["N° client", "Nom", "Prénom", "Ville"])
    assert rows == [(3, ["C1", "Martin", "Anne", "Paris"])]


def test_the_header_row_can_be_given() -> None:
    # Given a file whose header has names no one knows, below two title lines
    data = b"Rapport;mensuel;2024\r\nPage;1\r\nA;B;C;D\r\n1;2;3;4\r\n"

    # When it is read with the header on line 3
    table, rows = read_all(data, header_row=3)

    # Then that line is the header
    assert table.headers == ["A", "B", "C", "D"]
    assert rows == [(4, ["1", "2", "3", "4"])]

    # and a header line beyond the file is refused
    with pytest.raises(TabularError) as raised:
        read_all(data, header_row=9)
    assert raised.value.code == "header_row_empty"


def test_a_totals_line_is_skipped_and_noted() -> None:
    # Given an accounting export ending with its totals
    data = (
        "N° client;Nom;Date;Montant;Magasin\r\n"
        "C1;Martin;01/03/2024;1 000,00;Lyon\r\n"
        "C2;Durand;02/03/2024;333,56;Lyon\r\n"
        "Total;;;1 333,56;\r\n"
    ).encode()

    # When it is read
    table, rows = read_all(data)

    # Then the totals line is no row, and its line is kept for the report
    assert [line for line, _ in rows] == [2, 3]
    assert table.totals_lines == {4}


def test_a_customer_named_total_is_a_row() -> None:
    # Given a company called Total in the first column
    data = b"Societe;Ville;Montant\r\nTotal;Paris;12\r\n"

    # When it is read
    _table, rows = read_all(data)

    # Then it is kept
    assert rows == [(2, ["Total", "Paris", "12"])]
