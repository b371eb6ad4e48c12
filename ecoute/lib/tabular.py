"""Reading imported files: CSV exports and xlsx/ods workbooks, as one table of rows.

This package imports no Django: it gives data and reason codes, the caller writes
messages (see ``ecoute.lib.tabular_errors``).

    with open_table(path, original_name="clients.csv") as table:
        mapping = guess_mapping(table.headers, fields)          # ecoute.lib.columns
        for line, values in table.rows():                       # pass 1: validate
            ...
        for line, values in table.rows():                       # pass 2: write
            ...

- ``open_table(source, *, original_name=None, sheet=None, encoding=None, header_row=None) -> Table``
  recognises the kind by content, not by name: a zip holding a workbook is xlsx or ods; anything
  else must be text, read as CSV in the encoding given or found (``text_encoding``). Raises
  ``TabularError`` with a code of ``tabular_errors.MESSAGES``. Workbooks are checked before they
  are read, and read in a process of their own (see ``sheet_source``); limits are in
  ``table_limits``.
- ``Table.headers``: the header row: the row on line ``header_row`` when given; else the first of
  the first ten rows with the most cells named like known columns (two at least), else the first
  with more than half as many values as the fullest of them (a title row above the header). In CSV
  files trailing blank names are dropped, sheets keep their width; a column without a name is
  called "column N" (its position).
- ``Table.rows(*, ragged="error")`` yields ``(line, values)`` for each non-empty row
  after the header: ``line`` is the line a user sees (CSV: the physical line where the
  record starts, the first line of the file being 1; sheets: the row number). Rows can be
  read again, and two passes may even interleave. A totals line ("Total;;;1 333,56") is skipped
  and its line kept in ``Table.totals_lines``. A row with more or fewer values than
  headers raises ``TabularError("ragged_row")``, or with ``ragged="keep"`` is yielded as
  it is for the caller to reject; surplus empty values at the end are dropped silently.
  CSV errors during reading ("undecodable", "invalid_utf8", "unclosed_quote", "field_too_large",
  "line_too_long", "malformed_csv") name the line.
- ``Table.preview(n)``: the first rows as display text; ``Table.description()``: how it was read.

Values (``Cell``): CSV gives stripped text or ``None``; workbooks also give numbers,
booleans and dates. ``ecoute.lib.values`` and ``ecoute.lib.dates`` read them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Literal, Protocol, Self

from ecoute.lib import table_limits as limits
from ecoute.lib.columns import is_known_header
from ecoute.lib.csv_source import CsvSource
from ecoute.lib.sheet_reader import ALL_SHEETS
from ecoute.lib.sheet_source import SheetSource
from ecoute.lib.tabular_errors import InvalidValueError, TabularError
from ecoute.lib.text import fold
from ecoute.lib.values import Cell

__all__ = ["Cell", "InvalidValueError", "Table", "TabularError", "open_table"]

Kind = Literal["csv", "xlsx", "ods"]

_MAGIC_NUMBERS = {
    b"%PDF": "pdf",
    b"\x89PNG": "png",
    b"\xff\xd8\xff": "jpeg",
    b"GIF8": "gif",
    b"\x1f\x8b": "gzip",
    b"{\\rtf": "rtf",
    b"\xd0\xcf\x11\xe0": "xls",  # also Word .doc and password-protected xlsx
    b"Rar!": "rar",
    b"7z\xbc\xaf": "7z",
}
_HEADER_SEARCH_ROWS = 10
PREVIEW_CHARS = 200
# A header cell that is a number, a date, an amount or an e-mail address is data.
# "Total", "TOTAL TTC", "Sous-total", "Totaux", "Total général :".
_TOTALS = re.compile(r"(sous[- ]?)?(grand )?totau?[lx]( (general|ttc|ht|des ventes))?\s*:?")
_DATA_LIKE = re.compile(r"[-+(]?[\d\s.,'/:€$£%()-]*\d[\d\s.,'/:€$£%()-]*|[^\s@]+@[^\s@]+\.\w+")


class _Source(Protocol):
    @property
    def kind(self) -> Kind: ...
    @property
    def encoding(self) -> str | None: ...
    @property
    def delimiter(self) -> str | None: ...

    def records(self) -> Iterator[tuple[int, list[Cell]]]: ...
    def close(self) -> None: ...


def _find_header(source: _Source, header_row: int | None) -> tuple[int, list[str]]:
    """The header's line and names.

    With ``header_row``, the row on that line. Otherwise the first of the first rows holding the
    most cells named like known columns (at least two), which skips title rows of Sage and EBP
    exports however full; failing that, the first row with more than half as many values as the
    fullest of them, which skips the title rows ("Export des ventes - mars 2024") Excel users add.
    """
    if header_row is not None:
        found = next((row for row in source.records() if row[0] >= header_row), None)
        if found is None or found[0] != header_row:
            raise TabularError("header_row_empty", line=header_row)
        line, values = found
    else:
        first_rows = list(itertools.islice(source.records(), _HEADER_SEARCH_ROWS))
        if not first_rows:
            raise TabularError("empty_file")
        known = [sum(isinstance(v, str) and is_known_header(v) for v in values) for _, values in first_rows]
        counts = [sum(value is not None for value in values) for _, values in first_rows]
        if max(known) >= 2:
            line, values = first_rows[known.index(max(known))]
        else:
            line, values = next(
                (row for row, count in zip(first_rows, counts, strict=True) if count * 2 > max(counts)),
                first_rows[0],
            )
    headers = [_display(value) for value in values]
    # CSV: a trailing delimiter adds an empty name. Sheets keep their width, so that a
    # column with data but no name keeps its place.
    while source.kind == "csv" and headers and not headers[-1]:
        headers.pop()
    return line, headers


def _is_totals_line(values: list[Cell], width: int) -> bool:
    """A totals line of an accounting export: "Total" (or "Sous-total", "Total TTC"…) first, then only
    numbers, in at most half of the columns."""
    filled = [value for value in values if value is not None]
    if not filled or len(filled) * 2 > max(width, 2) or not isinstance(filled[0], str):
        return False
    if not _TOTALS.fullmatch(fold(filled[0])):
        return False
    return all(
        (isinstance(value, int | float) and not isinstance(value, bool))
        or (isinstance(value, str) and bool(_DATA_LIKE.fullmatch(value)))
        for value in filled[1:]
    )


class Table:
    """One sheet or CSV file as headers and rows; close it, or use it as a context manager."""

    def __init__(
        self, source: _Source, *, name: str, handle: BinaryIO | None, header_row: int | None = None
    ) -> None:
        self._source = source
        self._handle = handle
        self.name = name
        self.kind: Kind = source.kind
        self.delimiter = source.delimiter
        self.sheet_name: str | None = getattr(source, "sheet_name", None)
        self.sheet_names: list[str] = getattr(source, "sheet_names", [])
        try:
            self.header_line, self.headers = _find_header(source, header_row)
            # Columns without a name get one of their own: "column 3", never "" twice.
            self.unnamed = [index for index, header in enumerate(self.headers) if not header]
            for index in self.unnamed:
                self.headers[index] = f"column {index + 1}"
            self.totals_lines: set[int] = set()
            if len(self.headers) > limits.MAX_COLUMNS:
                raise TabularError("too_many_columns", found=len(self.headers), limit=limits.MAX_COLUMNS)
        except BaseException:
            source.close()  # a workbook's reading process ends with it
            raise

    @property
    def encoding(self) -> str | None:
        """The CSV encoding, given or found in the file; None for a workbook."""
        return self._source.encoding

    def rows(self, *, ragged: Literal["error", "keep"] = "error") -> Iterator[tuple[int, list[Cell]]]:
        """``(line, values)`` for each non-empty row after the header (see the module doc)."""
        width = len(self.headers)
        records = self._source.records()
        for line, _ in records:
            if line >= self.header_line:
                break
        for line, values in records:
            if _is_totals_line(values, width):
                self.totals_lines.add(line)
                continue
            if len(values) != width:
                if len(values) > width and not any(values[width:]):
                    del values[width:]
                elif ragged == "error":
                    raise TabularError("ragged_row", line=line, found=len(values), expected=width)
            yield line, values

    def description(self) -> dict[str, object]:
        """How the file was read, for the report: encoding, delimiter, sheets, header line, and the
        totals lines skipped by the passes made so far."""
        return {
            "kind": self.kind,
            "encoding": self.encoding,
            "encoding_given": bool(getattr(self._source, "encoding_given", False)),
            "delimiter": self.delimiter,
            "sheet": self.sheet_name,
            "sheets": list(self.sheet_names),
            "header_line": self.header_line,
            "totals_lines": sorted(self.totals_lines),
            "sheet_starts": [list(start) for start in getattr(self._source, "sheet_starts", [])],
        }

    def preview(self, n: int = 10) -> list[list[str]]:
        """The first ``n`` rows as text for display (dates in ISO form, empty as ""), as wide as the
        header and each value cut at ``PREVIEW_CHARS``: a line may hold megabytes, a preview does not."""
        shown: list[list[str]] = []
        if n <= 0:
            return shown
        width = len(self.headers)
        for _, values in self.rows(ragged="keep"):
            shown.append([_display(value)[:PREVIEW_CHARS] for value in values[:width]])
            if len(shown) >= n:
                break
        return shown

    def close(self) -> None:
        self._source.close()
        if self._handle is not None:
            self._handle.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _display(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _check_header(table: Table) -> None:
    filled = [header for index, header in enumerate(table.headers) if index not in table.unnamed]
    if sum(bool(_DATA_LIKE.fullmatch(header)) for header in filled) * 2 > len(filled):
        raise TabularError("no_header")


def _open_source(handle: BinaryIO, path: str | None, sheet: str | None, encoding: str | None) -> _Source:
    start = handle.tell()
    head = handle.read(8)
    handle.seek(start)
    if not head:
        raise TabularError("empty_file")
    if head.startswith(b"PK\x03\x04"):
        # "all": every sheet holding a table of the same shape, one after the other.
        chosen = ALL_SHEETS if sheet is not None and sheet.strip().lower() == "all" else sheet
        return SheetSource(path if path is not None else handle, sheet=chosen)
    if head.startswith(b"PK"):
        raise TabularError("unsupported_format", detected="zip")
    for magic, detected in _MAGIC_NUMBERS.items():
        if head.startswith(magic):
            raise TabularError("unsupported_format", detected=detected)
    return CsvSource(handle, encoding=encoding)


def open_table(
    source: str | os.PathLike[str] | BinaryIO,
    *,
    original_name: str | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    header_row: int | None = None,
) -> Table:
    """Open a CSV file or a workbook by path or from a seekable binary file object.

    A file object stays the caller's to close; a path is opened and closed by the table.
    ``original_name`` (the uploaded file's name) is kept as ``Table.name`` for messages.
    """
    if isinstance(source, str | os.PathLike):
        path = os.fspath(source)
        try:
            handle: BinaryIO = Path(path).open("rb")  # noqa: SIM115 - closed by Table.close
        except OSError as error:
            raise TabularError("unreadable_file", detail=error.strerror or str(error)) from None
        owned: BinaryIO | None = handle
        name = original_name or Path(path).name
    else:
        path, handle, owned = None, source, None
        name = original_name or str(getattr(source, "name", "")) or "upload"
    table: Table | None = None
    try:
        source_read = _open_source(handle, path, sheet, encoding)
        table = Table(source_read, name=name, handle=owned, header_row=header_row)
        _check_header(table)
    except BaseException:
        if table is not None:
            table.close()
        elif owned is not None:
            owned.close()
        raise
    return table
