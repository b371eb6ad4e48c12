"""A sheet's extent is read from its XML the same however the stream is cut into chunks."""

from __future__ import annotations

import itertools
import tempfile
import zipfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ecoute.lib.ods_extent import ods_extents
from ecoute.lib.sheet_extent import Extent, xlsx_extent

from . import hostile_files
from .spreadsheet_files import Rows, write_ods, write_xlsx

ROWS: Rows = [["Nom", "Ville", None], [None, "Lyon", 3], ["Petit", None, None], [], ["x", "y", "z"]]


def _part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def _cut(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({0, len(data), *(cut % (len(data) + 1) for cut in cuts)})
    return [data[start:end] for start, end in itertools.pairwise(points)]


def _xlsx_sheet(tmp_path: Path) -> bytes:
    return _part(write_xlsx(tmp_path / "x.xlsx", ROWS), "xl/worksheets/sheet1.xml")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0), max_size=30))
def test_an_xlsx_sheet_reads_the_same_in_any_chunks(cuts: list[int]) -> None:
    whole = Extent(1, 5, 1, 3, has_values=True)
    with tempfile.TemporaryDirectory() as folder:
        data = _xlsx_sheet(Path(folder))
    assert xlsx_extent(_cut(data, cuts)) == whole


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0), max_size=30))
def test_an_ods_content_reads_the_same_in_any_chunks(cuts: list[int]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        data = _part(hostile_files.padded_ods(Path(folder) / "p.ods"), "content.xml")
        plain = _part(write_ods(Path(folder) / "o.ods", ROWS), "content.xml")
    assert ods_extents(_cut(data, cuts)) == {"Clients": Extent(1, 2, 1, 1, has_values=True)}
    assert ods_extents(_cut(plain, cuts))["Export"] == Extent(1, 5, 1, 3, has_values=True)


def test_cells_without_references_are_placed_after_the_previous_one() -> None:
    sheet = hostile_files.sheet_xml('<row r="1"><c r="B1"><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row>')
    extent = xlsx_extent([sheet.encode()])
    assert (extent.last_row, extent.last_column) == (2, 5)  # bounded: never less than D1


def test_a_reference_in_single_quotes_or_spaced_counts_too() -> None:
    sheet = hostile_files.sheet_xml("<row r='1'><c r = 'XFD1048576'><v>1</v></c><c r='A1'><v>1</v></c></row>")
    assert xlsx_extent([sheet.encode()]) == Extent(1, 1_048_576, 1, 16_384, has_values=True)
