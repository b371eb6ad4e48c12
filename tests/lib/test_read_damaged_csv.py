"""Damaged CSV files as exports and transfers leave them: encodings that change after 64 KiB, characters
and line ends cut by a chunk boundary, bad UTF-8, NUL bytes, unclosed quotes, lines without end."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecoute.lib.csv_source import CHUNK_BYTES, SAMPLE_BYTES
from ecoute.lib.tabular import TabularError, open_table
from tests.lib.test_read_french_csv import read_all


def test_a_file_that_is_ascii_for_64_kib_then_windows_1252_is_read() -> None:
    # Given a cp1252 export whose accents only appear after the encoding sample
    head = b"nom;ville\r\n" + b"Martin;Paris\r\n" * (SAMPLE_BYTES // 14 + 100)
    data = head + "Lefèvre;Besançon\r\n".encode("cp1252")

    # When it is read
    table, rows = read_all(data)

    # Then the late accents are decoded as Windows-1252, not rejected
    assert rows[-1][1] == ["Lefèvre", "Besançon"]
    assert table.encoding == "cp1252"


def test_a_utf8_character_cut_by_a_chunk_boundary_is_decoded() -> None:
    # Given UTF-8 text where "é" straddles the first chunk boundary
    prefix = b"nom;ville\n" + b"x" * (CHUNK_BYTES - 12) + b";"
    data = prefix + "é\n".encode()
    assert data[CHUNK_BYTES - 1 : CHUNK_BYTES + 1] == "é".encode()

    # When it is read
    table, rows = read_all(data)

    # Then the character is whole
    assert table.encoding == "utf-8"
    assert rows[0][1][1] == "é"


def test_a_crlf_cut_by_a_chunk_boundary_is_one_line_end() -> None:
    # Given CRLF line ends with a \r as the last byte of the first chunk
    data = b"a;b\r\n" + b"1;" + b"x" * (CHUNK_BYTES - 8) + b"\r\n2;y\r\n"
    assert data[CHUNK_BYTES - 1 : CHUNK_BYTES + 1] == b"\r\n"

    # When it is read
    _, rows = read_all(data)

    # Then no blank line is invented and line numbers stay right
    assert [line for line, _ in rows] == [2, 3]


def test_invalid_utf8_after_accented_utf8_names_the_line() -> None:
    # Given a UTF-8 export with accents, then past the sample a Windows-1252 line (files
    # pasted together)
    lines = 5_000
    data = b"nom;ville\n" + "éric;Orléans\n".encode() * lines + "rené;Sète\n".encode("cp1252")
    assert len(data) > SAMPLE_BYTES

    # When it is read
    # Then the undecodable line is named
    with pytest.raises(TabularError) as raised:
        read_all(data)
    assert raised.value.code == "invalid_utf8"
    expected = {"line": lines + 2, "lines": str(lines + 2), "count": 1, "encoding": "utf-8"}
    assert raised.value.params == expected


def test_nul_bytes_from_a_broken_export_are_dropped() -> None:
    # Given an export padded with NUL bytes and one NUL inside a value
    data = b"nom;ville\nDu\x00pont;Paris\n" + b"\x00" * 100

    # When it is read
    _, rows = read_all(data)

    # Then the NULs are gone (a database would refuse them)
    assert rows == [(2, ["Dupont", "Paris"])]


def test_an_unclosed_quote_is_reported_on_the_line_where_it_opens() -> None:
    # Given a quote opened on line 2 and never closed in a long file
    data = b'nom;note\nDupont;"oops\n' + b"Durand;ok\n" * 20_000

    # When it is read
    # Then the field limit stops it and names line 2
    with pytest.raises(TabularError) as raised:
        read_all(data)
    assert raised.value.code == "field_too_large"
    assert raised.value.params["line"] == 2


def test_a_line_without_end_longer_than_the_limit_is_refused(tmp_path: Path) -> None:
    # Given a 5 MB single line (no line end at all)
    path = tmp_path / "one_line.csv"
    path.write_bytes(b"a;b\n" + b"x" * 5_000_000)

    # When it is read
    # Then reading stops with a clear code instead of buffering it all
    with pytest.raises(TabularError) as raised, open_table(path) as table:
        list(table.rows())
    assert raised.value.code == "line_too_long"
    assert raised.value.params["line"] == 2
