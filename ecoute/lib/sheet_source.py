"""Reader of xlsx and ods workbooks through python-calamine.

The sheet read is the one named, else the first visible worksheet holding data. Rows are
all as wide as the sheet.
Cells come as calamine gives them, tidied: text stripped and ``None`` when empty, whole
floats as ``int`` (``10023.0`` is a customer number, not a measure), dates and datetimes
as objects when the cell has a date format; a date cell that lost its format stays an
Excel serial number, which ``DateColumn`` reads. Line numbers are
the sheet's row numbers.

calamine holds the sheet's cells in memory (Rust side, compact); rows become Python objects
one at a time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from os import PathLike
from typing import BinaryIO, Final, Literal

import python_calamine

from ecoute.lib.tabular_errors import TabularError
from ecoute.lib.values import Cell

_RawCell = int | float | str | bool | dt.time | dt.date | dt.datetime | dt.timedelta


def _tidy(value: _RawCell) -> Cell:
    if value.__class__ is str:
        text: str = value
        return text.strip() or None
    if value.__class__ is float:
        number: float = value
        return int(number) if number.is_integer() else number
    return value


def _calamine_problem(error: Exception) -> TabularError:
    if isinstance(error, python_calamine.PasswordError):
        return TabularError("protected_spreadsheet")
    detail = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
    return TabularError("corrupt_spreadsheet", detail=detail)


class SheetSource:
    """The rows of one sheet; ``records()`` may be called again for another pass."""

    def __init__(
        self,
        source: str | PathLike[str] | BinaryIO,
        kind: Literal["xlsx", "ods"],
        *,
        sheet: str | None = None,
    ) -> None:
        self.kind: Final = kind
        self.encoding = None
        self.delimiter = None
        try:
            self._workbook = python_calamine.CalamineWorkbook.from_object(source)
            self.sheet_names = list(self._workbook.sheet_names)
            self._sheet = self._pick_sheet(sheet)
        except TabularError:
            raise
        # calamine's errors are not all CalamineError (a damaged archive can raise others).
        except Exception as error:
            raise _calamine_problem(error) from None
        self.sheet_name = self._sheet.name

    def _pick_sheet(self, name: str | None) -> python_calamine.CalamineSheet:
        if name is not None:
            if name not in self.sheet_names:
                available = ", ".join(self.sheet_names)
                raise TabularError("sheet_not_found", sheet=name, available=available)
            return self._workbook.get_sheet_by_name(name)
        first: python_calamine.CalamineSheet | None = None
        for metadata in self._workbook.sheets_metadata:
            if metadata.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            if metadata.visible != python_calamine.SheetVisibleEnum.Visible:
                continue
            candidate = self._workbook.get_sheet_by_name(metadata.name)
            if candidate.height:
                return candidate
            first = first or candidate
        if first is None:
            return self._workbook.get_sheet_by_index(0)
        return first

    def records(self) -> Iterator[tuple[int, list[Cell]]]:
        """Every row with a value, header included: (sheet row number, values)."""
        tidy = _tidy
        try:
            # iter_rows starts at the sheet's first row, even when it is empty (pinned by
            # a test), so the position is the row number.
            for line, row in enumerate(self._sheet.iter_rows(), start=1):
                values = [tidy(value) for value in row]
                if any(value is not None for value in values):
                    yield line, values
        except Exception as error:
            raise _calamine_problem(error) from None

    def close(self) -> None:
        self._workbook.close()
