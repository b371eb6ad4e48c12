"""The process that reads one workbook sheet with python-calamine, under a memory limit.

``python -m ecoute.lib.sheet_reader LIMIT PATH SHEET`` limits its own address space to LIMIT bytes,
loads the sheet (when SHEET is empty, the first visible worksheet holding a table, refused when
several hold tables of the same shape) and writes frames to
its standard output, each a 4-byte length and a pickle: ``("sheet", name, all names)``, then
``("rows", [(line, values), …])`` in batches, then ``("end", None)``; or ``("error", code, params)``.
calamine allocates in Rust, where running out of memory aborts the process: here, that ends this
process only, and the importing process reports it (see ``sheet_source``).

Cells come as calamine gives them, tidied: text stripped and ``None`` when empty, NUL characters
dropped as the CSV reader drops them (Excel spells them ``_x0000_``; PostgreSQL refuses them), the
apostrophe of the formula-safe writer removed, whole floats as ``int`` (``10023.0`` is a customer
number, not a measure), dates and datetimes as objects when the cell has a date format. Line numbers are the
sheet's row numbers. Nothing here imports Django.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import pickle
import resource
import struct
import sys
from typing import IO, Any

import python_calamine

from ecoute.lib.formula_safe import restore_text
from ecoute.lib.values import Cell

OUT_OF_MEMORY = 3
# A batch is sent at this many cells, so that a wide sheet's batches stay small too.
CELLS_PER_FRAME = 50_000
_LENGTH = struct.Struct(">I")

_RawCell = int | float | str | bool | dt.time | dt.date | dt.datetime | dt.timedelta


def write_frame(stream: IO[bytes], message: object) -> None:
    data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)))
    stream.write(data)


def read_frame(stream: IO[bytes]) -> bytes | None:
    """The next frame's pickle, or None at the end of the stream (a frame cut short included)."""
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (length,) = _LENGTH.unpack(head)
    data = stream.read(length)
    return data if len(data) == length else None


def _tidy(value: _RawCell) -> Cell:
    if value.__class__ is str:
        text: str = value.strip()
        if "\x00" in text:
            text = text.replace("\x00", "").strip()
        if not text:
            return None
        return restore_text(text) if text[0] == "'" else text
    if value.__class__ is float:
        number: float = value
        return int(number) if number.is_integer() else number
    return value


def _calamine_problem(error: BaseException) -> tuple[str, dict[str, Any]]:
    if isinstance(error, python_calamine.PasswordError):
        return "protected_spreadsheet", {}
    text = str(error)
    detail = text.splitlines()[0][:200] if text else type(error).__name__
    return "corrupt_spreadsheet", {"detail": detail}


class _SheetChoiceError(Exception):
    """The sheet to read cannot be chosen: a reading problem, sent as such."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code, self.params = code, params


# The sheet argument that reads every sheet holding a table of the same shape ([ and ] are not allowed
# in a sheet's name).
ALL_SHEETS = "[all]"
# Rows looked at to tell a table from notes, and a table's shape.
_SHAPE_ROWS = 10


def _header_line(sheet: python_calamine.CalamineSheet) -> tuple[int, tuple[str, ...]] | None:
    """A sheet's table: the line and names of its header, the first of its first rows with two values or
    more; None for a sheet of notes (fewer than two such rows)."""
    full = []
    for line, row in enumerate(itertools.islice(sheet.iter_rows(), _SHAPE_ROWS), start=1):
        values = [str(value).strip().casefold() for value in row if str(value).strip()]
        if len(values) >= 2:
            full.append((line, tuple(values)))
    return full[0] if len(full) >= 2 else None


def _tables(
    workbook: python_calamine.CalamineWorkbook,
) -> tuple[list[python_calamine.CalamineSheet], list[Any]]:
    """The visible worksheets: those with data, and among them the tables (sheet, header line, shape)."""
    with_data: list[python_calamine.CalamineSheet] = []
    for metadata in workbook.sheets_metadata:
        if metadata.typ != python_calamine.SheetTypeEnum.WorkSheet:
            continue
        if metadata.visible != python_calamine.SheetVisibleEnum.Visible:
            continue
        with_data.append(workbook.get_sheet_by_name(metadata.name))
    tables = []
    for sheet in with_data:
        header = _header_line(sheet) if sheet.height else None
        if header is not None:
            tables.append((sheet, *header))
    return with_data, tables


def _pick_sheets(
    workbook: python_calamine.CalamineWorkbook, name: str
) -> list[tuple[python_calamine.CalamineSheet, int]]:
    """The sheets to read, each with the line of its header to skip (0: the reader finds it).

    The sheet named; with ``ALL_SHEETS``, every sheet holding a table of the shape of the first one;
    else the first visible worksheet holding a table (a notes sheet before it is passed over), refused
    when another sheet holds a table of the same shape: which one, or all, is the user's choice."""
    if name and name != ALL_SHEETS:
        return [(workbook.get_sheet_by_name(name), 0)]
    visible, tables = _tables(workbook)
    if not tables:
        with_data = [sheet for sheet in visible if sheet.height]
        chosen = with_data or visible or [workbook.get_sheet_by_index(0)]
        return [(chosen[0], 0)]
    shape = tables[0][2]
    alike = [(sheet, line) for sheet, line, other in tables if other == shape]
    if name == ALL_SHEETS:
        return [(sheet, line if index else 0) for index, (sheet, line) in enumerate(alike)]
    if len(alike) > 1:
        raise _SheetChoiceError("ambiguous_sheets", sheets=", ".join(sheet.name for sheet, _ in alike))
    return [(tables[0][0], 0)]


def read_sheet(path: str, name: str, out: IO[bytes]) -> None:
    """Send the rows of the sheets chosen; after the first, a sheet's lines follow the previous sheet's
    last, and its header is skipped. The end message says where each sheet starts."""
    workbook = python_calamine.CalamineWorkbook.from_path(path)
    sheets = _pick_sheets(workbook, name)
    write_frame(out, ("sheet", ", ".join(sheet.name for sheet, _ in sheets), list(workbook.sheet_names)))
    tidy = _tidy
    batch: list[tuple[int, list[Cell]]] = []
    starts: list[tuple[str, int]] = []
    offset = 0
    for sheet, header_line in sheets:
        starts.append((sheet.name, offset + 1))
        rows_per_frame = max(1, CELLS_PER_FRAME // max(1, sheet.width))
        line = 0
        # iter_rows starts at the sheet's first row, even when it is empty (pinned by a test), so the
        # position is the row number.
        for line, row in enumerate(sheet.iter_rows(), start=1):
            if line <= header_line:
                continue
            values = [tidy(value) for value in row]
            if any(value is not None for value in values):
                batch.append((offset + line, values))
                if len(batch) >= rows_per_frame:
                    write_frame(out, ("rows", batch))
                    batch = []
        offset += line
    if batch:
        write_frame(out, ("rows", batch))
    write_frame(out, ("end", starts))


def main(argv: list[str]) -> None:
    limit, path, name = int(argv[1]), argv[2], argv[3]
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    out = sys.stdout.buffer
    try:
        read_sheet(path, name, out)
    except MemoryError:
        os._exit(OUT_OF_MEMORY)
    except BrokenPipeError:
        os._exit(0)  # the importing process has read what it needed
    except _SheetChoiceError as refusal:
        write_frame(out, ("error", refusal.code, refusal.params))
    # calamine's errors are not all CalamineError (a damaged archive can raise others, and a Rust
    # panic raises PanicException, a BaseException).
    except BaseException as error:
        code, params = _calamine_problem(error)
        write_frame(out, ("error", code, params))
    try:
        out.flush()
    except BrokenPipeError:
        os._exit(0)


if __name__ == "__main__":
    main(sys.argv)
