"""Read a transaction log (customer, date, amount) from a CSV file, fast, in French conventions.

A million customers make a file of several million rows, so nothing here creates a Python object
per field: the file is one byte buffer, separators are found with numpy, and each column is parsed
from a (rows × width) byte matrix a chunk of rows at a time. Handled: ';', ',' or tab delimiters
(sniffed from the header), quoted fields, UTF-8 with or without BOM or cp1252, CRLF, blank lines;
dates as dd/mm/yyyy, yyyy-mm-dd or yyyymmdd (with or without a time after them); amounts with a
decimal comma or point, spaces, no-break spaces or narrow no-break spaces between thousands and a
€ sign.
"""

import codecs
import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ecoute.analytics.btyd import field_parsing
from ecoute.analytics.btyd.field_parsing import ByteMatrix, FieldBounds

type IntArray = npt.NDArray[np.int64]
type FloatArray = npt.NDArray[np.float64]
type Progress = Callable[[float], None]

_CHUNK_ROWS = 500_000
_DECODE_BYTES = 1 << 24
_DELIMITERS = (b";", b"\t", b",")
_MAX_ID_WIDTH = 256


class TransactionFileError(ValueError):
    """The file cannot be read as a transaction log; subclasses say why."""


class EmptyFileError(TransactionFileError):
    """The file has no header or no data row."""


@dataclass
class MissingColumnError(TransactionFileError):
    column: str
    found: list[str]


@dataclass
class FieldCountError(TransactionFileError):
    line: int
    expected: int
    found: int


@dataclass
class BadValueError(TransactionFileError):
    line: int
    column: str
    value: str
    kind: str
    """'date', 'amount' or 'customer'."""


@dataclass(frozen=True)
class TransactionLog:
    customer_ids: npt.NDArray[np.bytes_]
    """Distinct customer ids as UTF-8 bytes, in order of first appearance."""
    customer: IntArray
    """For each row, the index of its customer in customer_ids."""
    day: IntArray
    """For each row, days since 1970-01-01."""
    amount: FloatArray | None

    @property
    def rows(self) -> int:
        return int(self.customer.size)

    def decoded_ids(self, index: IntArray) -> list[str]:
        return [raw.decode("utf-8") for raw in self.customer_ids[index].tolist()]


def read_transaction_log(
    path: Path,
    *,
    customer_column: str = "customer_id",
    date_column: str = "date",
    amount_column: str | None = "amount",
    amount_required: bool = False,
    progress: Progress | None = None,
) -> TransactionLog:
    """Read the customer, date and (when present) amount columns of a CSV transaction log."""
    buffer, start = _load_utf8(path)
    header_end = buffer.find(b"\n", start)
    if header_end < 0:
        header_end = len(buffer) - field_parsing.PADDING
    header_line = bytes(buffer[start:header_end]).rstrip(b"\r")
    names = _header_names(header_line)
    delimiter = _sniff_delimiter(header_line)
    if not names or all(not name for name in names):
        raise EmptyFileError
    customer_index = _column_index(names, customer_column)
    date_index = _column_index(names, date_column)
    amount_index: int | None = None
    if amount_column is not None:
        if amount_required or _has_column(names, amount_column):
            amount_index = _column_index(names, amount_column)

    data = np.frombuffer(buffer, dtype=np.uint8)
    end = len(buffer) - field_parsing.PADDING
    bounds = field_parsing.split_fields(data, header_end + 1, end, delimiter[0], len(names))
    if isinstance(bounds, field_parsing.BadFieldCount):
        line = _line_number(buffer, bounds.offset)
        raise FieldCountError(line, len(names), bounds.fields)
    if bounds.rows == 0:
        raise EmptyFileError

    rows = bounds.rows
    customer = np.empty(rows, dtype=np.int64)
    day = np.empty(rows, dtype=np.int64)
    amount = np.empty(rows, dtype=np.float64) if amount_index is not None else None
    id_width = bounds.width(customer_index)
    if id_width > _MAX_ID_WIDTH:
        row = int(np.argmax(bounds.lengths(customer_index)))
        raise _bad_value(buffer, bounds, row, customer_index, names, "customer")
    id_words = np.empty((rows, (id_width + 7) // 8), dtype=np.uint64)
    for first in range(0, rows, _CHUNK_ROWS):
        chunk = slice(first, min(first + _CHUNK_ROWS, rows))
        ids = ByteMatrix.take(data, bounds, customer_index, chunk, width=id_width)
        id_words[chunk] = ids.words()
        dates = ByteMatrix.take(data, bounds, date_index, chunk)
        parsed_days, bad_row = field_parsing.parse_days(dates)
        if bad_row is not None:
            raise _bad_value(buffer, bounds, first + bad_row, date_index, names, "date")
        day[chunk] = parsed_days
        if amount is not None and amount_index is not None:
            amounts = ByteMatrix.take(data, bounds, amount_index, chunk)
            parsed_amounts, bad_row = field_parsing.parse_amounts(amounts)
            if bad_row is not None:
                raise _bad_value(buffer, bounds, first + bad_row, amount_index, names, "amount")
            amount[chunk] = parsed_amounts
        if progress is not None:
            progress(chunk.stop / rows)
    del data, bounds
    customer_ids = field_parsing.factorise_ids(id_words, id_width, customer)
    return TransactionLog(customer_ids=customer_ids, customer=customer, day=day, amount=amount)


def _load_utf8(path: Path) -> tuple[bytearray, int]:
    """The file's bytes as UTF-8, followed by zero padding; and where the text starts."""
    size = path.stat().st_size
    buffer = bytearray(size + field_parsing.PADDING)
    with path.open("rb") as stream:
        read = stream.readinto(memoryview(buffer)[:size])
    del buffer[read + field_parsing.PADDING :]
    if not buffer.isascii() and not _is_utf8(buffer, read):
        # A Windows export. cp1252 leaves five bytes undefined: replaced rather than refused.
        recoded = bytes(buffer[:read]).decode("cp1252", errors="replace").encode("utf-8")
        buffer = bytearray(recoded) + bytearray(field_parsing.PADDING)
    start = 3 if buffer.startswith(b"\xef\xbb\xbf") else 0
    return buffer, start


def _is_utf8(buffer: bytearray, size: int) -> bool:
    """Validate by slices, so that no string the size of the file is made."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(buffer)
    try:
        for offset in range(0, size, _DECODE_BYTES):
            decoder.decode(view[offset : min(offset + _DECODE_BYTES, size)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        view.release()
    return True


def _header_names(header: bytes) -> list[str]:
    text = header.decode("utf-8")
    delimiter = _sniff_delimiter(header).decode()
    row = next(csv.reader([text], delimiter=delimiter), [])
    return [name.strip() for name in row]


def _sniff_delimiter(header: bytes) -> bytes:
    counts = [header.count(candidate) for candidate in _DELIMITERS]
    best = max(range(len(_DELIMITERS)), key=lambda index: (counts[index], -index))
    return _DELIMITERS[best] if counts[best] else b","


def _has_column(names: list[str], wanted: str) -> bool:
    folded = wanted.strip().casefold()
    return any(name.casefold() == folded for name in names)


def _column_index(names: list[str], wanted: str) -> int:
    if wanted in names:
        return names.index(wanted)
    folded = wanted.strip().casefold()
    for index, name in enumerate(names):
        if name.casefold() == folded:
            return index
    raise MissingColumnError(wanted, [name for name in names if name])


def _line_number(buffer: bytearray, offset: int) -> int:
    return buffer.count(b"\n", 0, offset) + 1


def _bad_value(  # noqa: PLR0913 - where the value is, and what it should have been
    buffer: bytearray, bounds: FieldBounds, row: int, column: int, names: list[str], kind: str
) -> BadValueError:
    start, stop = bounds.field(row, column)
    value = bytes(buffer[start:stop]).decode("utf-8", errors="replace")
    return BadValueError(_line_number(buffer, start), names[column], value, kind)
