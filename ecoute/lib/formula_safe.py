"""Cells a spreadsheet will not run: the one way Écoute writes CSV files (OWASP "CSV injection").

Customer data leaves the product in files that analysts open in Excel or LibreOffice, which run a
cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula
(``=HYPERLINK(…)``, ``@SUM(…)``, DDE). Such a text cell is written with a leading apostrophe,
which the spreadsheet shows as text; the importer removes it again (``restore_text``), so that a
rejects file, once fixed, imports as it was.

Numbers stay numbers: ``int``, ``float`` and ``Decimal`` values are written as they are, and so is a
text that is only a negative number (``-15,00``, ``-2.25``, ``-1 234,56``): a spreadsheet reads it
as a number, and it holds nothing to run. A phone number (``+33 6 …``) is text and is neutralised.

A row holding a text where another separator is followed by a formula character (``a,=1+1`` in a
``;`` file, which Excel set to split on commas would cut in two) has its text cells quoted.

Workbooks (xlsx) are written by ``FormulaSafeWorkbookWriter``: a text cell is always written as a
string, never as a formula, and carries the same apostrophe, so that a cell edited in Excel or a sheet
saved as CSV does not become a formula either (and the importer reads it back as it was); numbers and
dates are written as numbers and dates, in the formats the caller gives.

Nothing here imports Django: the analytics package writes its files through it too.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any, Final, Protocol

import xlsxwriter

__all__ = ["FormulaSafeCsvWriter", "FormulaSafeWorkbookWriter", "csv_field", "formula_safe", "restore_text"]

FORMULA_STARTS: Final = frozenset("=+-@\t\r")
_QUOTE_MARK: Final = "'"
_NEGATIVE_NUMBER = re.compile(r"-(?:[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+|[0-9]+)(?:[.,][0-9]+)?")
# Another program may split on a separator that is not ours: a formula may start after it.
_SEPARATED_FORMULA = re.compile(r"[,;\t|][ ]*[=+\-@]")
# A cell starting with a formula character or an apostrophe, or a separator before a formula character,
# in a row's cells joined by a control character (one inside a cell only costs a closer look).
_CELL_START = "\x1f"
_NEEDS_A_LOOK = re.compile(r"\x1f[=+\-@\t\r']|[,;\t|][ ]*[=+\-@]")


class _TextFile(Protocol):
    def write(self, text: str, /) -> int: ...


def _needs_mark(text: str) -> bool:
    first = text[0]
    if first == _QUOTE_MARK:
        # Marked already, or meant to start with an apostrophe: one more keeps it through a round trip.
        core = text.lstrip(_QUOTE_MARK)
        return bool(core) and core[0] in FORMULA_STARTS
    return first in FORMULA_STARTS and not _NEGATIVE_NUMBER.fullmatch(text)


def formula_safe[T](value: T) -> T | str:
    """``value`` as a spreadsheet may show it without running it: text that would be a formula gets a
    leading apostrophe; numbers, dates, empty values and other text are returned unchanged."""
    if isinstance(value, str) and value and _needs_mark(value):
        return _QUOTE_MARK + value
    return value


def restore_text(text: str) -> str:
    """The text ``formula_safe`` was given: the apostrophe it put before a formula character is removed."""
    if text[:1] == _QUOTE_MARK:
        core = text.lstrip(_QUOTE_MARK)
        if core and core[0] in FORMULA_STARTS:
            return text[1:]
    return text


def csv_field(text: str, delimiter: str) -> str:
    """One text field as CSV text, neutralised and quoted when needed (for lines built by hand)."""
    text = formula_safe(text)
    if any(char in text for char in (delimiter, '"', "\n", "\r")) or _SEPARATED_FORMULA.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


class FormulaSafeCsvWriter:
    """``csv.writer`` whose every cell goes through ``formula_safe``; the product's only CSV writer."""

    def __init__(self, handle: _TextFile, *, delimiter: str = ";", lineterminator: str = "\r\n") -> None:
        self._plain = csv.writer(handle, delimiter=delimiter, lineterminator=lineterminator)
        self._quoted = csv.writer(
            handle, delimiter=delimiter, lineterminator=lineterminator, quoting=csv.QUOTE_STRINGS
        )

    def writerow(self, row: Iterable[object]) -> None:
        cells = list(row)
        # Most rows hold nothing to neutralise: one search over the row's text tells.
        if not _NEEDS_A_LOOK.search(_CELL_START + _CELL_START.join(map(str, cells))):
            self._plain.writerow(cells)
            return
        quote = False
        separated = _SEPARATED_FORMULA.search
        for index, value in enumerate(cells):
            if isinstance(value, str) and value:
                if value[0] in FORMULA_STARTS or value[0] == _QUOTE_MARK:
                    cells[index] = formula_safe(value)
                if not quote and separated(value):
                    quote = True
        (self._quoted if quote else self._plain).writerow(cells)

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


# Rows of one sheet in Excel (the header included); a longer list goes on in another sheet.
SHEET_ROWS: Final = 1_048_576
# Characters an Excel cell holds; a longer text is cut and ends with this mark, so that the reader knows.
CELL_CHARACTERS: Final = 32_767
CUT_MARK: Final = "…"
_WIDEST_COLUMN: Final = 60


def _fitted(text: str) -> str:
    if len(text) <= CELL_CHARACTERS:
        return text
    return text[: CELL_CHARACTERS - len(CUT_MARK)] + CUT_MARK


class FormulaSafeWorkbookWriter:
    """An xlsx workbook written row by row in constant memory (xlsxwriter keeps one row at a time).

    ``number_formats`` gives each column's Excel number format (``"0"``, ``"#,##0.00 €"``,
    ``"dd/mm/yyyy"``; ``None`` for text). A text cell goes through ``formula_safe`` and is written as a
    string (cut to ``CELL_CHARACTERS``, ending with ``CUT_MARK``, when longer); ``int``, ``float`` and
    ``Decimal`` as numbers; ``date`` and ``datetime`` (naive, in the reader's zone) as dates; ``None`` as
    an empty cell. Past ``SHEET_ROWS`` rows the list goes on in a
    new sheet under the same headers. ``close()`` writes the file.
    """

    def __init__(
        self,
        target: IO[bytes] | str,
        headers: Sequence[str],
        number_formats: Sequence[str | None],
        sheet_name: str,
        sheet_rows: int = SHEET_ROWS,
    ) -> None:
        self._book: Any = xlsxwriter.Workbook(
            target,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        self._headers = [formula_safe(header) for header in headers]
        self._bold = self._book.add_format({"bold": True})
        self._formats = [self._book.add_format({"num_format": f}) if f else None for f in number_formats]
        # Excel refuses these characters in a sheet's name, and names past 31 characters.
        self._sheet_name = re.sub(r"[\[\]:*?/\\]", " ", sheet_name).strip("' ")[:25] or "Sheet"
        self._sheet_rows = sheet_rows
        self._sheets = 0
        self._row = sheet_rows
        self._sheet: Any = None
        self._writers: list[Callable[[int, int, Any], object]] = []

    def _new_sheet(self) -> None:
        self._sheets += 1
        name = self._sheet_name if self._sheets == 1 else f"{self._sheet_name} ({self._sheets})"
        self._sheet = self._book.add_worksheet(name)
        for index, header in enumerate(self._headers):
            self._sheet.set_column(index, index, min(max(len(header) + 4, 12), _WIDEST_COLUMN))
        self._sheet.freeze_panes(1, 0)
        self._sheet.write_row(0, 0, self._headers, self._bold)
        self._row = 1
        self._writers = [self._cell_writer(cell_format) for cell_format in self._formats]

    def _cell_writer(self, cell_format: Any) -> Callable[[int, int, Any], object]:
        sheet = self._sheet
        write_string, write_number, write_date = sheet.write_string, sheet.write_number, sheet.write_datetime

        def write(row: int, column: int, value: Any) -> object:
            if isinstance(value, str):
                return write_string(row, column, _fitted(formula_safe(value)), cell_format) if value else None
            if value is None:
                return None
            if isinstance(value, bool):
                return write_string(row, column, str(value), cell_format)
            if isinstance(value, int | float | Decimal):
                return write_number(row, column, float(value), cell_format)
            if isinstance(value, date | datetime):
                return write_date(row, column, value, cell_format)
            return write_string(row, column, _fitted(formula_safe(str(value))), cell_format)

        return write

    def writerow(self, row: Iterable[object]) -> None:
        if self._row >= self._sheet_rows:
            self._new_sheet()
        number = self._row
        for column, (write, value) in enumerate(zip(self._writers, row, strict=False)):
            write(number, column, value)
        self._row += 1

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)

    def close(self) -> None:
        if self._sheet is None:
            self._new_sheet()
        self._book.close()
