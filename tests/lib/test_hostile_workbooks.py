"""Workbooks that declare more than they hold are refused with the limit, and never end the process."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ecoute.lib import table_limits
from ecoute.lib.tabular import TabularError, open_table

from . import hostile_files
from .spreadsheet_files import SheetCell, write_xlsx


def _refusal(path: Path) -> TabularError:
    with pytest.raises(TabularError) as raised, open_table(path) as table:
        list(table.rows(ragged="keep"))
    return raised.value


def test_a_workbook_spanning_a_whole_sheet_does_not_end_the_process_that_opens_it(tmp_path: Path) -> None:
    # Given the 1.6 KB xlsx with a cell at A1 and one at XFD1048576 (512 GiB to calamine)
    path = hostile_files.corner_xlsx(tmp_path / "coins.xlsx")
    script = textwrap.dedent(
        f"""
        from ecoute.lib.tabular import TabularError, open_table
        try:
            with open_table({str(path)!r}) as table:
                list(table.rows())
        except TabularError as error:
            print(error.code, error.params)
        """
    )

    # When a process opens it
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)

    # Then the process lives on and says why the file is refused
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.startswith("too_many_columns {'found': 16384, 'limit': 500}")


@pytest.mark.parametrize(
    ("make", "code", "params"),
    [
        (hostile_files.tall_xlsx, "sheet_too_large", {"rows": 99_999_999, "columns": 1}),
        (hostile_files.far_column_xlsx, "too_many_columns", {"limit": 500}),
        (hostile_files.unreferenced_cells_xlsx, "too_many_columns", {"found": 600}),
        (hostile_files.shared_strings_xlsx, "too_many_texts", {"found": 4_000_000_000, "limit": 12_000_000}),
        (hostile_files.repeated_rows_ods, "sheet_too_large", {"rows": 2_000_001, "columns": 1}),
        (hostile_files.repeated_cells_ods, "too_many_columns", {"found": 16384}),
        (hostile_files.many_entries_zip, "corrupt_spreadsheet", {}),
        (hostile_files.lying_size_xlsx, "corrupt_spreadsheet", {}),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_declared_size_tricks_are_refused_before_the_sheet_is_read(
    tmp_path: Path, make: Callable[[Path], Path], code: str, params: dict[str, object]
) -> None:
    # Given a small workbook declaring a huge extent, count of texts, or directory
    suffix = "ods" if "ods" in make.__name__ else "xlsx"
    path = make(tmp_path / f"piege.{suffix}")
    assert path.stat().st_size < 100_000

    # When it is opened
    error = _refusal(path)

    # Then it is refused with the reason and the limit
    assert error.code == code
    assert params.items() <= error.params.items()


def test_a_sheet_too_large_names_itself_and_both_limits(tmp_path: Path) -> None:
    error = _refusal(hostile_files.sparse_block_xlsx(tmp_path / "bloc.xlsx", rows=600_000))
    assert error.params == {
        "sheet": "Export",
        "rows": 600_000,
        "columns": 26,
        "limit": table_limits.MAX_SHEET_CELLS,
        "row_limit": table_limits.MAX_SHEET_ROWS,
    }


def test_a_cell_formatted_far_beyond_the_data_does_not_count(tmp_path: Path) -> None:
    # Given a sheet whose data is two cells, and an empty cell formatted at XFD1048576
    path = hostile_files.formatted_far_xlsx(tmp_path / "clients.xlsx")

    # When it is read
    with open_table(path) as table:
        rows = list(table.rows())

    # Then only the data counts, as for calamine
    assert (table.headers, rows) == (["Nom"], [(2, ["Durand"])])


def test_a_libreoffice_sheet_padded_with_a_million_empty_rows_is_read(tmp_path: Path) -> None:
    # Given a sheet followed by the empty rows and cells LibreOffice writes after the data
    path = hostile_files.padded_ods(tmp_path / "clients.ods")

    # When it is read
    with open_table(path) as table:
        rows = list(table.rows())

    # Then the padding is not data, and does not count against the limits
    assert (table.headers, rows) == (["Nom"], [(2, ["Durand"])])


def test_what_the_checks_let_through_ends_the_reading_process_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given checks loosened so that a block of 130 million cells (4 GB to calamine) gets through,
    # and the reading process allowed 512 MB
    monkeypatch.setattr(table_limits, "MAX_SHEET_ROWS", 10_000_000)
    monkeypatch.setattr(table_limits, "MAX_SHEET_CELLS", 10**12)
    monkeypatch.setattr(table_limits, "SHEET_MEMORY_LIMIT", 512 << 20)
    path = hostile_files.sparse_block_xlsx(tmp_path / "bloc.xlsx", rows=5_000_000)

    # When it is opened
    error = _refusal(path)

    # Then calamine's failed allocation ended the reading process, reported with the limit
    assert (error.code, error.params) == ("spreadsheet_out_of_memory", {"limit_mb": 512})


def test_a_large_workbook_is_read_whole_twice_in_batches(tmp_path: Path) -> None:
    # Given a workbook of 12,000 rows of ten columns (several batches of the reading process)
    header: list[SheetCell] = [f"Colonne {n}" for n in range(10)]
    rows: list[list[SheetCell]] = [header]
    rows += [[f"C{i}", i, i / 4, "texte", None, "x", i % 7, "oui", "Lyon", -i] for i in range(12_000)]
    path = write_xlsx(tmp_path / "grand.xlsx", rows)

    # When it is read in two interleaved passes
    with open_table(path) as table:
        first, second = table.rows(), table.rows()
        pairs = list(zip(first, second, strict=True))

    # Then both passes give every row, in order, with its sheet row number
    assert len(pairs) == 12_000
    assert all(a == b for a, b in pairs)
    assert pairs[-1][0] == (
        12_001,
        ["C11999", 11999, 2999.75, "texte", None, "x", 11999 % 7, "oui", "Lyon", -11999],
    )


def test_a_workbook_refused_after_it_was_read_leaves_no_reading_process_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an empty workbook, refused once its reading process has read it
    started: list[subprocess.Popen[bytes]] = []
    popen = subprocess.Popen

    def recorded(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        started.append(popen(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(subprocess, "Popen", recorded)
    path = write_xlsx(tmp_path / "vide.xlsx", [])

    # When it is opened
    assert _refusal(path).code == "empty_file"

    # Then its reading process has ended and been waited for
    assert len(started) == 1
    assert started[0].returncode is not None
