"""Any list leaving Écoute as a file: CSV or Excel (xlsx), in the reader's conventions, in constant memory.

A page gives its rows (an iterable of tuples read from the database in chunks), its columns and the
organization's language; `export_response` answers with the file. CSV is streamed as it is written;
an xlsx file is written row by row into a temporary file, then sent. Both go through the formula-safe
writers of `ecoute.lib.formula_safe`.

What each language's file looks like (what Excel in that language opens with a double click):

- French: UTF-8 with a byte order mark, ``;`` between cells, decimal comma, dates dd/mm/yyyy, amounts
  as plain numbers ("1249,90", "-15,00") under a header naming the currency; no thousands separator,
  which French Excel would read as text.
- English: UTF-8 with a byte order mark, ``,`` between cells, decimal point, dates as ISO 8601
  (yyyy-mm-dd): an English Excel reads them as dates whatever its region (dd/mm in the United Kingdom,
  mm/dd in the United States would each be misread by the other).
- xlsx: numbers and dates are real numbers and dates; their formats (grouping, decimals, currency
  sign, dd/mm/yyyy or yyyy-mm-dd) follow the same language, and Excel shows the digits its own way.

Dates and times are shown in the organization's time zone, as on its pages.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from io import StringIO
from pathlib import Path
from typing import Any, BinaryIO, Final

from django.http import FileResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

from ecoute.lib.formula_safe import FormulaSafeCsvWriter, FormulaSafeWorkbookWriter
from ecoute.lib.quantities import CURRENCY_SIGNS
from ecoute.lib.values import currency_decimals

__all__ = [
    "CONTENT_TYPES",
    "Column",
    "ColumnKind",
    "ExportFormat",
    "FileConventions",
    "conventions_for",
    "csv_chunks",
    "export_response",
    "workbook_file",
    "write_list_file",
    "write_workbook",
]

BOM: Final = "\ufeff"
# Bytes gathered before a piece of the CSV file is sent: few writes, little memory.
CHUNK_BYTES: Final = 64 * 1024


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class ColumnKind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    MONEY = "money"
    DATE = "date"
    DATETIME = "datetime"


@dataclass(frozen=True)
class Column:
    """A column of an exported list: its header (translated by the caller), the kind of its values, the
    decimals of a decimal column, and the currency of a money column (named in its header)."""

    header: str
    kind: ColumnKind = ColumnKind.TEXT
    decimals: int = 2
    currency: str = ""

    def heading(self) -> str:
        if self.kind is ColumnKind.MONEY and self.currency:
            return f"{self.header} ({CURRENCY_SIGNS.get(self.currency.upper(), self.currency.upper())})"
        return self.header


@dataclass(frozen=True)
class FileConventions:
    """How one language writes a list file."""

    language: str
    delimiter: str
    decimal_mark: str
    date_format: str  # strftime
    datetime_format: str
    sheet_date_format: str  # Excel number format
    sheet_datetime_format: str
    money_before: bool  # "€1,249.90" or "1 249,90 €" in a workbook

    def sheet_money_format(self, currency: str, decimals: int) -> str:
        digits = "#,##0" + ("." + "0" * decimals if decimals else "")
        sign = CURRENCY_SIGNS.get(currency.upper(), currency.upper())
        return f'"{sign}"{digits}' if self.money_before else f'{digits}\\ "{sign}"'


FRENCH: Final = FileConventions(
    "fr", ";", ",", "%d/%m/%Y", "%d/%m/%Y %H:%M", "dd/mm/yyyy", "dd/mm/yyyy hh:mm", False
)
ENGLISH: Final = FileConventions(
    "en", ",", ".", "%Y-%m-%d", "%Y-%m-%d %H:%M", "yyyy-mm-dd", "yyyy-mm-dd hh:mm", True
)


def conventions_for(language: str) -> FileConventions:
    return ENGLISH if language[:2] == "en" else FRENCH


def _local(value: date, zone: tzinfo) -> date:
    """A datetime in the organization's zone (naive: a spreadsheet has no zones); a date as it is."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(zone).replace(tzinfo=None)
    return value


def _csv_cell_formats(columns: Sequence[Column], conventions: FileConventions, zone: tzinfo) -> list[Any]:
    """For each column, the function writing one of its values as CSV text."""
    comma = conventions.decimal_mark != "."

    def number(places: int) -> Any:
        step = Decimal(1).scaleb(-places)

        def written(value: Any) -> str:
            if value is None:
                return ""
            # Rounded half up, as the pages round (a float by its shortest spelling: 0.25, not 0.2499…)
            text = f"{Decimal(str(value)).quantize(step, rounding=ROUND_HALF_UP):f}"
            return text.replace(".", ",") if comma else text

        return written

    def integer(value: Any) -> str:
        return "" if value is None else str(value)

    def when(pattern: str, as_date: bool) -> Any:
        def written(value: Any) -> str:
            if value is None:
                return ""
            local = _local(value, zone)
            if as_date and isinstance(local, datetime):
                local = local.date()
            return local.strftime(pattern)

        return written

    def text(value: Any) -> Any:
        return "" if value is None else value

    formats: list[Any] = []
    for column in columns:
        match column.kind:
            case ColumnKind.INTEGER:
                formats.append(integer)
            case ColumnKind.DECIMAL:
                formats.append(number(column.decimals))
            case ColumnKind.MONEY:
                formats.append(number(currency_decimals(column.currency or "EUR")))
            case ColumnKind.DATE:
                formats.append(when(conventions.date_format, as_date=True))
            case ColumnKind.DATETIME:
                formats.append(when(conventions.datetime_format, as_date=False))
            case _:
                formats.append(text)
    return formats


def csv_chunks(
    rows: Iterable[Sequence[Any]], columns: Sequence[Column], conventions: FileConventions, zone: tzinfo
) -> Iterator[bytes]:
    """The CSV file, piece by piece: a byte order mark, the headers, then the rows as they come."""
    buffer = StringIO()
    writer = FormulaSafeCsvWriter(buffer, delimiter=conventions.delimiter)
    buffer.write(BOM)
    writer.writerow([column.heading() for column in columns])
    formats = _csv_cell_formats(columns, conventions, zone)
    for row in rows:
        writer.writerow([cell(value) for cell, value in zip(formats, row, strict=True)])
        if buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _sheet_format(column: Column, conventions: FileConventions) -> str | None:
    match column.kind:
        case ColumnKind.INTEGER:
            return "0"
        case ColumnKind.DECIMAL:
            return "#,##0" + ("." + "0" * column.decimals if column.decimals else "")
        case ColumnKind.MONEY:
            currency = column.currency or "EUR"
            return conventions.sheet_money_format(currency, currency_decimals(currency))
        case ColumnKind.DATE:
            return conventions.sheet_date_format
        case ColumnKind.DATETIME:
            return conventions.sheet_datetime_format
    return None


def write_workbook(
    handle: BinaryIO,
    rows: Iterable[Sequence[Any]],
    columns: Sequence[Column],
    conventions: FileConventions,
    zone: tzinfo,
    *,
    sheet_name: str,
) -> None:
    """Write the xlsx file into `handle`, row by row (xlsxwriter's constant-memory mode)."""
    kinds = [column.kind for column in columns]
    dated = [index for index, kind in enumerate(kinds) if kind in {ColumnKind.DATE, ColumnKind.DATETIME}]
    only_day = {index for index in dated if kinds[index] is ColumnKind.DATE}
    writer = FormulaSafeWorkbookWriter(
        handle,
        [column.heading() for column in columns],
        [_sheet_format(column, conventions) for column in columns],
        sheet_name,
    )
    for row in rows:
        if dated:
            cells = list(row)
            for index in dated:
                if cells[index] is not None:
                    local = _local(cells[index], zone)
                    cells[index] = (
                        local.date() if index in only_day and isinstance(local, datetime) else local
                    )
            writer.writerow(cells)
        else:
            writer.writerow(row)
    writer.close()


def workbook_file(
    rows: Iterable[Sequence[Any]],
    columns: Sequence[Column],
    conventions: FileConventions,
    zone: tzinfo,
    sheet_name: str,
) -> Any:
    """The xlsx file in an anonymous temporary file (gone once closed), read from its start."""
    handle = tempfile.TemporaryFile(prefix="ecoute-export-", suffix=".xlsx")  # noqa: SIM115 - sent, then closed
    write_workbook(handle, rows, columns, conventions, zone, sheet_name=sheet_name)
    handle.seek(0)
    return handle


def write_list_file(
    path: Path,
    rows: Iterable[Sequence[Any]],
    columns: Sequence[Column],
    *,
    language: str,
    file_format: ExportFormat,
    title: str,
    zone: tzinfo,
) -> None:
    """Write the list at `path` as the download `export_response` would send it (a file prepared in the
    background is the same file, byte for byte, as one streamed), flushed to the disk before returning."""
    conventions = conventions_for(language)
    with path.open("wb") as handle:
        if file_format is ExportFormat.XLSX:
            write_workbook(handle, rows, columns, conventions, zone, sheet_name=title)
        else:
            for chunk in csv_chunks(rows, columns, conventions, zone):
                handle.write(chunk)
        handle.flush()
        os.fsync(handle.fileno())


CONTENT_TYPES: Final = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_response(
    rows: Iterable[Sequence[Any]],
    columns: Sequence[Column],
    *,
    language: str,
    file_format: ExportFormat,
    file_name: str,
    title: str,
    zone: tzinfo,
) -> HttpResponseBase:
    """The list as a download named `file_name` (without its extension), in `language`'s conventions;
    `title` names a workbook's sheet."""
    conventions = conventions_for(language)
    name = f"{file_name}.{file_format.value}"
    if file_format is ExportFormat.XLSX:
        handle = workbook_file(rows, columns, conventions, zone, sheet_name=title)
        return FileResponse(
            handle, as_attachment=True, filename=name, content_type=CONTENT_TYPES[file_format]
        )
    response = StreamingHttpResponse(
        csv_chunks(rows, columns, conventions, zone), content_type=CONTENT_TYPES[file_format]
    )
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name) or ""
    return response
