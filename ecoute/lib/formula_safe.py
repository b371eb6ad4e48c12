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

Nothing here imports Django: the analytics package writes its files through it too.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Final, Protocol

__all__ = ["FormulaSafeCsvWriter", "csv_field", "formula_safe", "restore_text"]

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
