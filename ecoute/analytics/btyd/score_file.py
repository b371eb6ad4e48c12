"""Write a CSV of ids and numbers fast: the text of a million rows is built with Arrow's kernels.

Numbers have a fixed number of decimals (a point, no exponent, laid out with numpy), or, where no
number of decimals is given, their full precision: the shortest text that reads back as the same
double (Arrow's double-conversion, as Python's repr; 1e-14 rather than 0.000000). NaN and
infinities are empty fields. Columns that take few distinct values (a score per distinct purchase
history) are written once per value and gathered per row. Python's own formatting would take
seconds for a million rows of sixteen columns. Ids come from the customer's file: the few that a
spreadsheet could run as a formula, or that hold CSV specials, go through the formula-safe writer's
field encoding (``ecoute.lib.formula_safe``).
"""

import threading
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ecoute.lib.formula_safe import csv_field

type FloatArray = npt.NDArray[np.float64]
type ByteArray = npt.NDArray[np.uint8]
type IntArray = npt.NDArray[np.int64]

_ROWS_PER_WRITE = 50_000
_THREADS = 2
# Blocks of line starts made ahead of the writer at most: the rest wait, to keep the memory they
# would hold (a few MiB each) for the scores computed meanwhile.
_STARTS_AHEAD = 6


def _bytes(text: bytes) -> "pa.Scalar":
    return pa.scalar(text, type=pa.large_binary())


# Beyond 2^53 the scaled integer is no longer exact: such values go through Python's formatting.
_EXACT = 2.0**53
# Bytes that make an id go through csv_field: a formula start or an apostrophe first, or anywhere a
# CSV special or a separator after which another program could see a formula.
_FIRST_BYTE = np.zeros(256, dtype=np.bool_)
_FIRST_BYTE[np.frombuffer(b"=+-@\t\r'", dtype=np.uint8)] = True
_ANY_BYTE = np.zeros(256, dtype=np.bool_)
_ANY_BYTE[np.frombuffer(b',"\n\r;\t|', dtype=np.uint8)] = True


@dataclass(frozen=True)
class SharedColumn:
    """A column whose rows take few distinct values: row i holds values[index[i]]. Each value is
    written once as text, and the text gathered per row."""

    values: FloatArray
    index: IntArray


type Column = FloatArray | SharedColumn


def write_score_file(
    path: Path,
    header: Sequence[str],
    ids: npt.NDArray[np.bytes_],
    columns: Sequence[tuple[Column, int | None]],
) -> None:
    """One row per id: the id (UTF-8 bytes), then each column with its number of decimals
    (None: full precision)."""
    with LineStarts(ids, ()) as starts:
        write_score_lines(path, header, starts, columns)


class LineStarts:
    """The start of every line: the id, then the first columns. Laid out as text block by block in
    a thread of its own from the moment it is made, while the caller computes the other columns.
    Used as a context manager: on leaving it, the blocks not made yet are given up (the file could
    not be written, the scores not computed) and the thread ends."""

    def __init__(self, ids: npt.NDArray[np.bytes_], columns: Sequence[tuple[Column, int | None]]) -> None:
        self.rows = ids.size
        self._room = threading.Semaphore(_STARTS_AHEAD)
        self._closed = False
        pool = ThreadPoolExecutor(1, thread_name_prefix="score-lines")
        groups = pool.submit(_groups, columns)
        self._blocks: list[Future[pa.Array] | None] = [
            pool.submit(self._make, ids, groups, start) for start in range(0, ids.size, _ROWS_PER_WRITE)
        ]
        # The blocks submitted are still made; the thread ends after the last.
        pool.shutdown(wait=False)

    def __enter__(self) -> "LineStarts":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._closed = True
        for block in self._blocks:
            if block is not None:
                block.cancel()
        # Wakes the block waiting for room, if any: it finds the line starts closed.
        self._room.release()

    @property
    def count(self) -> int:
        return len(self._blocks)

    def block(self, number: int) -> "pa.Array":
        """The line starts of block `number`, once made; taken once each, in order."""
        made, self._blocks[number] = self._blocks[number], None
        if made is None:
            raise ValueError(f"block {number} of line starts was already taken")
        text = made.result()
        self._room.release()
        return text

    def _make(self, ids: npt.NDArray[np.bytes_], groups: "Future[list[_Group]]", start: int) -> "pa.Array":
        self._room.acquire()
        if self._closed:
            raise ValueError("line starts given up")
        return _line_start(ids, groups, start)


def _line_start(ids: npt.NDArray[np.bytes_], groups: "Future[list[_Group]]", start: int) -> "pa.Array":
    rows = slice(start, min(start + _ROWS_PER_WRITE, ids.size))
    # Each line starts with the newline that ends the one before: the id's text carries it, and
    # no second pass over the joined lines is needed to end them.
    text = _strings(_id_text(ids[rows], prefix=b"\n"))
    fields = _fields(groups.result(), rows)
    return _joined([text, *fields]) if fields else text


def write_score_lines(
    path: Path,
    header: Sequence[str],
    starts: LineStarts,
    columns: Sequence[tuple[Column, int | None]],
) -> None:
    """One row per line start, followed by each column with its number of decimals (None: full
    precision)."""

    def lines(block: int) -> "pa.Array":
        start = block * _ROWS_PER_WRITE
        rows = slice(start, min(start + _ROWS_PER_WRITE, starts.rows))
        return _joined([starts.block(block), *_fields(groups, rows)])

    # Arrow's kernels leave the interpreter free: blocks of lines are made in two threads while
    # the one before is written, a few blocks at most in memory.
    with path.open("wb") as stream, ThreadPoolExecutor(_THREADS) as pool:
        groups = _groups(columns, pool)
        stream.write(",".join(header).encode())
        pending: deque[Future[pa.Array]] = deque()
        for block in range(starts.count):
            pending.append(pool.submit(lines, block))
            if len(pending) > _THREADS:
                stream.write(_text_of(pending.popleft().result()))
        while pending:
            stream.write(_text_of(pending.popleft().result()))
        stream.write(b"\n")


def _fields(groups: "list[_Group]", rows: slice) -> list["pa.Array"]:
    fields = []
    for text, index, (values, decimals) in groups:
        if text is not None and index is not None:
            fields.append(text.take(pa.array(index[rows])))
        elif values is not None:
            fields.append(_number_strings(values[rows], decimals))
    return fields


type _Group = tuple["pa.Array | None", IntArray | None, tuple[FloatArray | None, int | None]]


def _groups(
    columns: Sequence[tuple[Column, int | None]], pool: ThreadPoolExecutor | None = None
) -> list[_Group]:
    """Columns as written: neighbouring shared columns of one index are joined into one text per
    distinct row, gathered per row at once. The shared columns' texts are made in `pool`'s
    threads when one is given."""

    def text(column: tuple[SharedColumn, int | None]) -> "pa.Array":
        return _number_strings(column[0].values, column[1])

    shared = [(column, decimals) for column, decimals in columns if isinstance(column, SharedColumn)]
    texts = iter(pool.map(text, shared) if pool is not None else map(text, shared))
    groups: list[_Group] = []
    for column, decimals in columns:
        if not isinstance(column, SharedColumn):
            groups.append((None, None, (column, decimals)))
            continue
        shared_text = next(texts)
        previous = groups[-1] if groups else None
        if previous is not None and previous[0] is not None and previous[1] is column.index:
            groups[-1] = (_joined([previous[0], shared_text]), column.index, (None, None))
        else:
            groups.append((shared_text, column.index, (None, None)))
    return groups


def _number_strings(values: FloatArray, decimals: int | None) -> "pa.Array":
    """Each value's text: the shortest that reads back as the same double (Arrow's
    double-conversion, as repr does) or `decimals` fixed decimals; NaN and infinities null (an
    empty field once joined)."""
    if decimals is not None:
        return _strings(_number_text(values, decimals))
    # + 0.0 writes a negative zero as 0.
    numbers = pa.array(values + 0.0, mask=~np.isfinite(values))
    return pc.cast(numbers, pa.large_string()).view(pa.large_binary())


def _joined(fields: list["pa.Array"]) -> "pa.Array":
    """The fields of each row joined by commas, a null field written as an empty one."""
    return pc.binary_join_element_wise(*fields, _bytes(b","), null_handling="replace", null_replacement="")


def _strings(matrix: ByteArray) -> "pa.Array":
    """Arrow strings of the rows of a zero-padded byte matrix (no field holds a zero byte)."""
    filled = matrix != 0
    if filled.all():
        # Every field fills its row (ids of one width): the matrix is the text as it stands.
        offsets = np.arange(0, matrix.size + 1, max(1, matrix.shape[1]), dtype=np.int64)
        data = np.ascontiguousarray(matrix).reshape(-1)
        return pa.Array.from_buffers(
            pa.large_binary(), matrix.shape[0], [None, pa.py_buffer(offsets), pa.py_buffer(data)]
        )
    offsets = np.zeros(matrix.shape[0] + 1, dtype=np.int64)
    np.cumsum(filled.sum(axis=1), out=offsets[1:])
    data = matrix[filled]
    return pa.Array.from_buffers(
        pa.large_binary(), matrix.shape[0], [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )


def _text_of(strings: "pa.Array") -> memoryview:
    """The bytes of all the strings, one after another."""
    offsets_buffer, data = strings.buffers()[1:3]
    width = 8 if pa.types.is_large_binary(strings.type) or pa.types.is_large_string(strings.type) else 4
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64 if width == 8 else np.int32)
    first, last = int(offsets[strings.offset]), int(offsets[strings.offset + len(strings)])
    return memoryview(data)[first:last]


def _id_text(ids: npt.NDArray[np.bytes_], prefix: bytes) -> ByteArray:
    """Id bytes after `prefix`; those a spreadsheet could run or that hold CSV specials go through
    ``csv_field``."""
    width = max(1, ids.dtype.itemsize)
    matrix = np.ascontiguousarray(ids).view(np.uint8).reshape(ids.size, width)
    risky = _FIRST_BYTE[matrix[:, 0]] | _ANY_BYTE[matrix].any(axis=1)
    if risky.any():
        texts = ids.tolist()
        for index in np.flatnonzero(risky).tolist():
            texts[index] = _safe_field(texts[index])
        matrix = _text_matrix(texts)
    text = np.empty((matrix.shape[0], len(prefix) + matrix.shape[1]), dtype=np.uint8)
    text[:, : len(prefix)] = np.frombuffer(prefix, dtype=np.uint8)
    text[:, len(prefix) :] = matrix
    return text


def _safe_field(raw: bytes) -> bytes:
    # surrogateescape keeps bytes that are not UTF-8 (an id read from a Windows-1252 file) as they were.
    return csv_field(raw.decode("utf-8", "surrogateescape"), ",").encode("utf-8", "surrogateescape")


def _text_matrix(texts: list[bytes]) -> ByteArray:
    width = max(1, max((len(text) for text in texts), default=1))
    array = np.array(texts, dtype=f"S{width}")
    return array.view(np.uint8).reshape(len(texts), width)


def _number_text(values: FloatArray, decimals: int) -> ByteArray:
    """Right-aligned text of each value with `decimals` decimals, zero bytes before it."""
    finite = np.isfinite(values)
    scaled = np.rint(np.abs(np.where(finite, values, 0.0)) * 10.0**decimals)
    if (scaled >= _EXACT).any():
        return _text_matrix(
            [f"{value:.{decimals}f}".encode() if np.isfinite(value) else b"" for value in values.tolist()]
        )
    integer = scaled.astype(np.int64)
    digits = np.maximum(_digit_count(integer), decimals + 1)
    negative = (values < 0) & (integer > 0)
    point = 1 if decimals else 0
    most = int(digits.max(initial=1))
    width = most + point + 1
    matrix = np.zeros((values.size, width), dtype=np.uint8)
    column = width - 1
    for position in range(most):
        if decimals and position == decimals:
            matrix[:, column] = ord(".")
            column -= 1
        digit = (integer % 10 + ord("0")).astype(np.uint8)
        matrix[:, column] = np.where(position < digits, digit, 0)
        integer //= 10
        column -= 1
    lengths = digits + point + negative
    signed = np.flatnonzero(negative)
    matrix[signed, width - lengths[signed]] = ord("-")
    matrix[~finite] = 0
    return matrix


def _digit_count(integer: IntArray) -> IntArray:
    count = np.ones(integer.size, dtype=np.int64)
    bound = 10
    while True:
        more = integer >= bound
        if not more.any():
            return count
        count += more
        bound *= 10
