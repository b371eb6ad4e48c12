"""The encoding of a CSV export is read from the whole file, told among the ones French exports use,
and refused rather than guessed."""

from __future__ import annotations

import io

import pytest

from ecoute.lib.csv_source import SAMPLE_BYTES
from ecoute.lib.tabular import Cell, Table, TabularError, open_table

CUSTOMERS = (
    "N° client;Prénom;Nom;Ville\r\n"
    "C1;Hélène;Lefèvre;Besançon\r\n"
    "C2;Zoé;Œuvray;Nîmes\r\n"
    "C3;François;Bénard;Orléans\r\n"
)
EXPECTED = [
    ["C1", "Hélène", "Lefèvre", "Besançon"],
    ["C2", "Zoé", "Œuvray", "Nîmes"],
    ["C3", "François", "Bénard", "Orléans"],
]


def read_all(data: bytes, **options: str) -> tuple[Table, list[list[Cell]]]:
    with open_table(io.BytesIO(data), **options) as table:  # type: ignore[arg-type]
        return table, [values for _line, values in table.rows()]


@pytest.mark.parametrize(
    ("encoding", "newline", "told"),
    [
        ("utf-8", "\r\n", "utf-8"),
        ("utf-16", "\r\n", "utf-16"),
        ("utf-16-le", "\r\n", "utf-16-le"),
        ("utf-16-be", "\n", "utf-16-be"),
        ("cp1252", "\r\n", "cp1252"),
        ("iso-8859-15", "\n", "iso-8859-15"),
        ("mac-roman", "\r", "mac-roman"),
    ],
)
def test_each_encoding_of_french_exports_is_told_apart(encoding: str, newline: str, told: str) -> None:
    # Given the same customers exported in one of the encodings French software writes
    data = CUSTOMERS.replace("\r\n", newline).encode(encoding)

    # When the file is read
    table, rows = read_all(data)

    # Then the encoding is found and every name is read as written
    assert table.encoding == told
    assert table.headers == ["N° client", "Prénom", "Nom", "Ville"]
    assert rows == EXPECTED


def test_a_dos_till_export_in_cp850_keeps_its_accents_and_headers() -> None:
    # Given an old DOS till export (CP850 has no Œ)
    data = CUSTOMERS.replace("Œ", "O").encode("cp850")

    # When it is read
    table, rows = read_all(data)

    # Then it is CP850: "Lefèvre", not "LefŠvre", and "Prénom" matches its field
    assert table.encoding == "cp850"
    assert table.headers[1] == "Prénom"
    assert rows[0] == EXPECTED[0]


def test_iso_8859_15_is_not_read_as_windows_1252() -> None:
    # Given a Linux export in ISO-8859-15, where Œ and € are bytes that Windows-1252 reads as ¼ and ¤
    data = "Nom;Note\r\nŒuvray;Bon cœur, 12 €\r\n".encode("iso-8859-15")

    # When it is read
    table, rows = read_all(data)

    # Then Œ stays Œ and € stays €
    assert table.encoding == "iso-8859-15"
    assert rows == [["Œuvray", "Bon cœur, 12 €"]]


def test_weak_evidence_is_refused_rather_than_guessed() -> None:
    # Given a file whose only non-ASCII byte reads as € in Windows-1252 and as Ç in CP850
    data = "Nom;Montant\r\nDupont;12,50 €\r\n".encode("cp1252")

    # When it is read
    # Then it is refused, and the encoding is to be given
    with pytest.raises(TabularError) as raised:
        read_all(data)
    assert raised.value.code == "weak_encoding"
    assert "--encoding" in str(raised.value)

    # and given, it is read
    table, rows = read_all(data, encoding="cp1252")
    assert table.encoding == "cp1252"
    assert rows == [["Dupont", "12,50 €"]]


def test_an_unknown_encoding_given_is_refused() -> None:
    # Given an encoding name that does not exist
    # When the file is read with it
    # Then the name is refused
    with pytest.raises(TabularError) as raised:
        read_all(b"a;b\r\n1;2\r\n", encoding="klingon")
    assert raised.value.code == "unknown_encoding"


def test_a_utf8_file_with_a_few_bad_bytes_names_every_line_holding_them() -> None:
    # Given a UTF-8 export with one Windows-1252 line early and one far past the first 64 KiB
    good = "éric;Orléans\n".encode()
    lines = SAMPLE_BYTES // len(good) + 1000
    data = (
        b"nom;ville\n"
        + good * 10
        + "rené;Sète\n".encode("cp1252")
        + good * lines
        + "zoé;Nîmes\n".encode("cp1252")
    )

    # When it is read
    # Then it is refused naming both lines, not read as Windows-1252
    with pytest.raises(TabularError) as raised:
        read_all(data)
    assert raised.value.code == "invalid_utf8"
    assert raised.value.params["lines"] == f"12, {lines + 13}"
    assert raised.value.params["count"] == 2


def test_a_ctrl_z_at_the_end_of_a_dos_file_ends_it() -> None:
    # Given a DOS export ending with the end-of-file mark
    data = "Nom;Ville\r\nLefèvre;Nîmes\r\n".encode("cp850") + b"\x1a"

    # When it is read
    _table, rows = read_all(data, encoding="cp850")

    # Then the mark is not a row
    assert rows == [["Lefèvre", "Nîmes"]]


def test_a_ctrl_z_inside_the_file_is_not_an_end() -> None:
    # Given a Ctrl-Z followed by more rows
    data = b"Nom;Ville\r\nA;\x1a\r\nB;Paris\r\n"

    # When it is read
    _table, rows = read_all(data)

    # Then no row is lost
    assert [row[0] for row in rows] == ["A", "B"]
