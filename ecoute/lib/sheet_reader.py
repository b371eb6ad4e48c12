"""The process that reads one workbook sheet with python-calamine, under a memory limit.

``python -m ecoute.lib.sheet_reader LIMIT PATH SHEET`` limits its own address space to LIMIT bytes,
loads the sheet (the first visible worksheet with data when SHEET is empty) and writes frames to
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


def _pick_sheet(workbook: python_calamine.CalamineWorkbook, name: str) -> python_calamine.CalamineSheet:
    """The sheet named, else the first visible worksheet holding data (binary workbooks)."""
    if name:
        return workbook.get_sheet_by_name(name)
    first: python_calamine.CalamineSheet | None = None
    for metadata in workbook.sheets_metadata:
        if metadata.typ != python_calamine.SheetTypeEnum.WorkSheet:
            continue
        if metadata.visible != python_calamine.SheetVisibleEnum.Visible:
            continue
        candidate = workbook.get_sheet_by_name(metadata.name)
        if candidate.height:
            return candidate
        first = first or candidate
    return first if first is not None else workbook.get_sheet_by_index(0)


def read_sheet(path: str, name: str, out: IO[bytes]) -> None:
    workbook = python_calamine.CalamineWorkbook.from_path(path)
    sheet = _pick_sheet(workbook, name)
    write_frame(out, ("sheet", sheet.name, list(workbook.sheet_names)))
    tidy = _tidy
    batch: list[tuple[int, list[Cell]]] = []
    rows_per_frame = max(1, CELLS_PER_FRAME // max(1, sheet.width))
    # iter_rows starts at the sheet's first row, even when it is empty (pinned by a test), so the
    # position is the row number.
    for line, row in enumerate(sheet.iter_rows(), start=1):
        values = [tidy(value) for value in row]
        if any(value is not None for value in values):
            batch.append((line, values))
            if len(batch) >= rows_per_frame:
                write_frame(out, ("rows", batch))
                batch = []
    if batch:
        write_frame(out, ("rows", batch))
    write_frame(out, ("end", None))


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
