"""Read a transaction log (customer, date, amount) from a CSV file, fast, in French conventions.

A million customers make a file of several million rows, so nothing here creates a Python object
per field: the file is read in blocks of whole lines, separators are found with numpy, and each
column is parsed from a (rows × width) byte matrix. Handled: ';', ',' or tab delimiters
(sniffed from the header), quoted fields, UTF-8 with or without BOM or cp1252, CRLF, blank lines;
dates as dd/mm/yyyy, yyyy-mm-dd or yyyymmdd (with or without a time after them); amounts with a
decimal comma or point, spaces, no-break spaces or narrow no-break spaces between thousands and a
€ sign.
"""

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from functools import partial
from io import BufferedReader
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ecoute.analytics.btyd import csv_fields
from ecoute.analytics.btyd.amounts import parse_amounts
from ecoute.analytics.btyd.csv_fields import ByteMatrix, FieldBounds
from ecoute.analytics.btyd.customer_ids import NumberedIds, factorise_ids, factorise_numbered, numbered_ids
from ecoute.analytics.btyd.dates import parse_days
from ecoute.analytics.btyd.log_header import (
    BadValueError,
    EmptyFileError,
    FieldCountError,
    MissingColumnError,
    TransactionFileError,
    column_index,
    has_column,
    header_names,
    read_header,
    sniff_delimiter,
)
from ecoute.analytics.btyd.memory import release_free_memory

type IntArray = npt.NDArray[np.int64]
type FloatArray = npt.NDArray[np.float64]
type Progress = Callable[[float], None]

_CHUNK_ROWS = 500_000
_BLOCK_BYTES = 1 << 21
# Room in a buffer for the unfinished line carried over from the block before (it grows for longer).
_SLACK_BYTES = 1 << 20
_MAX_ID_WIDTH = 256
_THREADS = 3
# Blocks being parsed (one per thread) while the next is read.
_BUFFERS = _THREADS + 1


@dataclass(frozen=True)
class TransactionLog:
    customer_ids: npt.NDArray[np.bytes_]
    """Distinct customer ids as UTF-8 bytes, sorted (numerically when they are numbers)."""
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
    """Read the customer, date and (when present) amount columns of a CSV transaction log.

    The file is read in blocks of whole lines, so memory holds two blocks of text at a time
    besides the parsed columns. Blocks of 2 MiB take less memory and less time than larger ones:
    each array made from a block stays small and is reused by the allocator.
    """
    size = max(1, path.stat().st_size)
    with ExitStack() as stack:
        stream = stack.enter_context(path.open("rb"))
        header, rest = read_header(stream, _BLOCK_BYTES)
        names = header_names(header)
        if not names or all(not name for name in names):
            raise EmptyFileError
        customer_index = column_index(names, customer_column)
        date_index = column_index(names, date_column)
        amount_index: int | None = None
        if amount_column is not None and (amount_required or has_column(names, amount_column)):
            amount_index = column_index(names, amount_column)
        columns = _Columns(names, customer_index, date_index, amount_index)
        pool = stack.enter_context(ThreadPoolExecutor(_THREADS))
        reader = _BlockReader(columns, sniff_delimiter(header)[0], pool)
        # A few buffers serve every block in turn: the file is read into one while the blocks in
        # the others are parsed, after the end of the last line of the block before (nothing else
        # is copied). Fresh memory for each block would cost more, in page faults, than parsing it.
        buffers = [_Buffer(_BLOCK_BYTES + _SLACK_BYTES) for _ in range(_BUFFERS)]
        current = 0
        buffers[current].put(rest)
        done = len(header)
        while True:
            buffer = buffers[current]
            more = buffer.fill(stream, _BLOCK_BYTES)
            end = buffer.size if not more else _last_line_end(buffer.data, buffer.size)
            unfinished = bytes(buffer.data[end : buffer.size])
            if end:
                reader.add(buffer, end)
                done += end
                if progress is not None:
                    progress(min(1.0, done / size))
            current = (current + 1) % len(buffers)
            # The block the next buffer holds must be parsed before the buffer is filled again.
            reader.collect(until=buffers[current])
            buffers[current].put(unfinished)
            if not more:
                break
        reader.collect()
    return reader.finish()


@dataclass(frozen=True)
class _Columns:
    names: list[str]
    customer: int
    date: int
    amount: int | None


class _BlockReader:
    """Parses blocks of whole lines and keeps their columns."""

    def __init__(self, columns: _Columns, delimiter: int, pool: ThreadPoolExecutor) -> None:
        self.columns = columns
        self.pool = pool
        self.delimiter = delimiter
        self.lines_before = 1  # the header
        self.cp1252 = False
        self.ids: list[NumberedIds | ByteMatrix] = []
        self.pending: deque[_Pending] = deque()
        self.days: list[IntArray] = []
        self.amounts: list[FloatArray] = []

    def add(self, buffer: "_Buffer", end: int) -> None:
        """Parse the lines of buffer.data[:end] (whole lines)."""
        text, data = buffer.data, buffer.array
        if int(data[:end].max(initial=0)) >= 0x80 and not self.cp1252:
            try:
                str(memoryview(text)[:end], "utf-8")
            except UnicodeDecodeError:
                self.cp1252 = True
        if self.cp1252:
            # A Windows export. cp1252 leaves five bytes undefined: replaced rather than refused.
            converted = bytes(text[:end]).decode("cp1252", errors="replace").encode("utf-8")
            text = bytearray(converted) + bytearray(csv_fields.PADDING)
            data, end = np.frombuffer(text, dtype=np.uint8), len(converted)
        else:
            # What follows the block (the start of the next line, kept aside) is padding now.
            buffer.pad(end)
        trim = any(text.find(special, 0, end) >= 0 for special in (b" ", b"\t", b'"'))
        quoted = text.find(b'"', 0, end) >= 0
        # The block is split into fields and its columns parsed in a thread of the pool (numpy
        # leaves the interpreter free): several blocks are parsed at once while the next is read.
        job = self.pool.submit(self._parse, data, end, quoted=quoted, trim=trim)
        self.pending.append(_Pending(text, self.lines_before, buffer, job))
        self.lines_before += text.count(b"\n", 0, end)

    def _parse(self, data: npt.NDArray[np.uint8], end: int, *, quoted: bool, trim: bool) -> "_Parsed":
        """Split data[:end] (whole lines) into fields and parse its columns, chunk by chunk. Where a
        line has the wrong number of fields, the lines before it are parsed, since a bad value
        among them comes first."""
        columns = self.columns
        split = partial(
            csv_fields.split_fields,
            data,
            0,
            delimiter=self.delimiter,
            fields=len(columns.names),
            quoted=quoted,
        )
        bounds, bad_line = split(end), None
        if isinstance(bounds, csv_fields.BadFieldCount):
            bad_line = bounds
            bounds = split(bad_line.offset)
            assert isinstance(bounds, FieldBounds)  # noqa: S101 - the lines before bad_line are sound
        chunks = []
        for first in range(0, bounds.rows, _CHUNK_ROWS):
            chunk = slice(first, min(first + _CHUNK_ROWS, bounds.rows))
            ids = ByteMatrix.take(data, bounds, columns.customer, chunk, limit=_MAX_ID_WIDTH + 1, trim=trim)
            days = parse_days(ByteMatrix.take(data, bounds, columns.date, chunk, trim=trim))
            amounts = None
            if columns.amount is not None:
                amounts = parse_amounts(ByteMatrix.take(data, bounds, columns.amount, chunk, trim=trim))
            chunks.append(_Chunk(chunk, numbered_ids(ids.values, ids.lengths) or ids, days, amounts))
        return _Parsed(bounds, chunks, bad_line)

    def collect(self, until: "_Buffer | None" = None) -> None:
        """Keep the columns of the blocks submitted, in order: all of them, or up to the last one
        that lies in `until`. A bad value is reported as it would be row after row, column after
        column."""
        while self.pending and (until is None or any(block.buffer is until for block in self.pending)):
            block = self.pending.popleft()
            parsed = block.job.result()
            for chunk in parsed.chunks:
                self._keep(block, parsed.bounds, chunk)
            if parsed.bad_line is not None:
                bad = parsed.bad_line
                line = block.lines_before + block.text.count(b"\n", 0, bad.offset) + 1
                raise FieldCountError(line, len(self.columns.names), bad.fields)

    def _keep(self, block: "_Pending", bounds: FieldBounds, parsed: "_Chunk") -> None:
        columns, chunk, ids = self.columns, parsed.rows, parsed.ids
        # (row, column, kind) of each column's first bad value: the first row's, first column's is
        # reported, as reading the file field after field would find it.
        bad: list[tuple[int, int, str]] = []
        if isinstance(ids, ByteMatrix) and int(ids.lengths.max(initial=0)) > _MAX_ID_WIDTH:
            bad.append((int(np.argmax(ids.lengths > _MAX_ID_WIDTH)), columns.customer, "customer"))
        day, bad_row = parsed.days
        if bad_row is not None:
            bad.append((bad_row, columns.date, "date"))
        if parsed.amounts is not None and columns.amount is not None:
            bad_row = parsed.amounts[1]
            if bad_row is not None:
                bad.append((bad_row, columns.amount, "amount"))
        if bad:
            row, column, kind = min(bad)
            raise self._bad_value(block, bounds, chunk.start + row, column, kind)
        if parsed.amounts is not None:
            self.amounts.append(parsed.amounts[0])
        self.ids.append(ids)
        self.days.append(day)

    def finish(self) -> TransactionLog:
        rows = sum(days.size for days in self.days)
        if rows == 0:
            raise EmptyFileError
        # The blocks of text are gone: their memory goes back before the columns are joined.
        release_free_memory()
        customer = np.empty(rows, dtype=np.int64)
        numbered = [part for part in self.ids if isinstance(part, NumberedIds)]
        customer_ids = factorise_numbered(numbered, customer) if len(numbered) == len(self.ids) else None
        del numbered
        if customer_ids is None:
            customer_ids = self._factorise_words(customer)
        self.ids.clear()
        day = np.concatenate(self.days)
        self.days.clear()
        amount = np.concatenate(self.amounts) if self.columns.amount is not None else None
        self.amounts.clear()
        release_free_memory()
        return TransactionLog(customer_ids=customer_ids, customer=customer, day=day, amount=amount)

    def _factorise_words(self, customer: IntArray) -> npt.NDArray[np.bytes_]:
        """The general path: every id's bytes as words, then factorise_ids."""
        parts = [
            (part.words(), np.full(part.number.size, part.width))
            if isinstance(part, NumberedIds)
            else (part.words(), part.lengths)
            for part in self.ids
        ]
        self.ids.clear()
        width = max(words.shape[1] for words, _ in parts)
        id_words = np.zeros((customer.size, width), dtype=np.uint64)
        start = 0
        for words, _ in parts:
            id_words[start : start + words.shape[0], : words.shape[1]] = words
            start += words.shape[0]
        id_lengths = np.concatenate([lengths for _, lengths in parts])
        del parts
        return factorise_ids(id_words, id_lengths, customer)

    def _bad_value(
        self, block: "_Pending", bounds: FieldBounds, row: int, column: int, kind: str
    ) -> BadValueError:
        start, stop = bounds.field(row, column)
        value = bytes(block.text[start:stop]).decode("utf-8", errors="replace").strip().strip('"')
        line = block.lines_before + block.text.count(b"\n", 0, start) + 1
        return BadValueError(line, self.columns.names[column], value, kind)


@dataclass(frozen=True)
class _Chunk:
    """The parsed columns of a chunk of rows of a block."""

    rows: slice
    ids: NumberedIds | ByteMatrix
    days: tuple[IntArray, int | None]
    """Day numbers, and the first row whose date could not be read."""
    amounts: tuple[FloatArray, int | None] | None


@dataclass(frozen=True)
class _Parsed:
    """A block split into fields and its chunks parsed: all its lines, or those before the first
    line whose field count is wrong."""

    bounds: FieldBounds
    chunks: list[_Chunk]
    bad_line: csv_fields.BadFieldCount | None = None


@dataclass(frozen=True)
class _Pending:
    """A block of lines being parsed."""

    text: bytearray
    lines_before: int
    buffer: "_Buffer"
    job: "Future[_Parsed]"


class _Buffer:
    """A bytearray the file is read into, with room for padding after what it holds."""

    def __init__(self, capacity: int) -> None:
        self.data = bytearray(capacity + csv_fields.PADDING)
        self.array = np.frombuffer(self.data, dtype=np.uint8)
        self.size = 0

    def put(self, text: bytes) -> None:
        """Hold `text` alone, at the start."""
        self.size = 0
        self._make_room(len(text))
        self.data[: len(text)] = text
        self.size = len(text)

    def fill(self, stream: BufferedReader, wanted: int) -> int:
        """Read up to `wanted` more bytes after what the buffer holds; how many were read."""
        self._make_room(self.size + wanted)
        read = stream.readinto(memoryview(self.data)[self.size : self.size + wanted]) or 0
        self.size += read
        return read

    def pad(self, end: int) -> None:
        """Zero the padding after data[:end] (what lies there must have been kept aside)."""
        self.array[end : end + csv_fields.PADDING] = 0

    def _make_room(self, size: int) -> None:
        if size + csv_fields.PADDING > len(self.data):
            # A line longer than a block: a larger buffer (the array view goes with the old one).
            grown = bytearray(2 * size + csv_fields.PADDING)
            grown[: self.size] = self.data[: self.size]
            self.data = grown
            self.array = np.frombuffer(self.data, dtype=np.uint8)


def _last_line_end(text: bytearray, size: int) -> int:
    """The end of the last whole line of text[:size] (newlines in quotes do not end a line), or 0."""
    cut = text.rfind(b"\n", 0, size)
    if cut < 0:
        return 0
    if text.find(b'"', 0, size) >= 0:
        data = np.frombuffer(text, dtype=np.uint8, count=size)
        newlines = np.flatnonzero(data == ord("\n"))
        quotes = np.flatnonzero(data == ord('"'))
        outside = newlines[np.searchsorted(quotes, newlines) % 2 == 0]
        if outside.size == 0:
            return 0
        cut = int(outside[-1])
    return cut + 1


__all__ = [
    "BadValueError",
    "EmptyFileError",
    "FieldCountError",
    "MissingColumnError",
    "TransactionFileError",
    "TransactionLog",
    "read_transaction_log",
]
