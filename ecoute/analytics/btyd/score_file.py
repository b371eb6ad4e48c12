"""Write a CSV of ids and numbers fast: the text of a million rows is built with numpy.

Numbers are written with a fixed number of decimals (a point, no exponent); NaN and infinities
as empty fields. Python's own formatting would take seconds for a million rows of eight columns.
"""

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

type FloatArray = npt.NDArray[np.float64]
type ByteArray = npt.NDArray[np.uint8]
type IntArray = npt.NDArray[np.int64]

_ROWS_PER_WRITE = 100_000
# Beyond 2^53 the scaled integer is no longer exact: such values go through Python's formatting.
_EXACT = 2.0**53
_CSV_SPECIAL = (b",", b'"', b"\n", b"\r")


def write_score_file(
    path: Path,
    header: Sequence[str],
    ids: npt.NDArray[np.bytes_],
    columns: Sequence[tuple[FloatArray, int]],
) -> None:
    """One row per id: the id (UTF-8 bytes), then each column with its number of decimals."""
    with path.open("wb") as stream:
        stream.write((",".join(header) + "\n").encode())
        for start in range(0, ids.size, _ROWS_PER_WRITE):
            rows = slice(start, min(start + _ROWS_PER_WRITE, ids.size))
            fields = [_id_text(ids[rows])]
            fields += [_number_text(values[rows], decimals) for values, decimals in columns]
            stream.write(_rows_text(fields).tobytes())


def _id_text(ids: npt.NDArray[np.bytes_]) -> tuple[ByteArray, IntArray, bool]:
    """Left-aligned id bytes, their lengths; quoted when they hold CSV specials."""
    width = max(1, ids.dtype.itemsize)
    matrix = np.ascontiguousarray(ids).view(np.uint8).reshape(ids.size, width)
    lengths = (matrix != 0).sum(axis=1).astype(np.int64)
    if any((matrix == special[0]).any() for special in _CSV_SPECIAL):
        texts = [_quoted(raw) for raw in ids.tolist()]
        return _left_aligned(texts)
    return matrix, lengths, True


def _quoted(raw: bytes) -> bytes:
    if any(special in raw for special in _CSV_SPECIAL):
        return b'"' + raw.replace(b'"', b'""') + b'"'
    return raw


def _left_aligned(texts: list[bytes]) -> tuple[ByteArray, IntArray, bool]:
    width = max(1, max((len(text) for text in texts), default=1))
    array = np.array(texts, dtype=f"S{width}")
    matrix = array.view(np.uint8).reshape(len(texts), width)
    lengths = np.array([len(text) for text in texts], dtype=np.int64)
    return matrix, lengths, True


def _number_text(values: FloatArray, decimals: int) -> tuple[ByteArray, IntArray, bool]:
    """Right-aligned text of each value with `decimals` decimals, and its length."""
    finite = np.isfinite(values)
    scaled = np.rint(np.abs(np.where(finite, values, 0.0)) * 10.0**decimals)
    if (scaled >= _EXACT).any():
        texts = [b"" if not np.isfinite(v) else f"{v:.{decimals}f}".encode() for v in values.tolist()]
        return _left_aligned(texts)
    integer = scaled.astype(np.int64)
    digits = np.maximum(_digit_count(integer), decimals + 1)
    negative = (values < 0) & (integer > 0)
    point = 1 if decimals else 0
    width = int(digits.max(initial=1)) + point + 1
    matrix = np.zeros((values.size, width), dtype=np.uint8)
    column = width - 1
    remaining = integer.copy()
    for position in range(int(digits.max(initial=1))):
        if decimals and position == decimals:
            matrix[:, column] = ord(".")
            column -= 1
        matrix[:, column] = np.where(position < digits, remaining % 10 + ord("0"), 0)
        remaining //= 10
        column -= 1
    lengths = digits + point + negative
    rows = np.flatnonzero(negative)
    matrix[rows, width - lengths[rows]] = ord("-")
    lengths[~finite] = 0
    return matrix, lengths.astype(np.int64), False


def _digit_count(integer: IntArray) -> IntArray:
    count = np.ones(integer.size, dtype=np.int64)
    bound = 10
    while True:
        more = integer >= bound
        if not more.any():
            return count
        count += more
        bound *= 10


def _rows_text(fields: list[tuple[ByteArray, IntArray, bool]]) -> ByteArray:
    """Join the fields of each row with commas, rows with newlines."""
    rows = fields[0][1].size
    separators = len(fields)  # commas between fields, and the newline
    row_length = np.full(rows, separators, dtype=np.int64)
    for _, lengths, _ in fields:
        row_length += lengths
    row_start = np.zeros(rows, dtype=np.int64)
    np.cumsum(row_length[:-1], out=row_start[1:])
    text = np.full(int(row_length.sum()), ord(","), dtype=np.uint8)
    text[row_start + row_length - 1] = ord("\n")
    field_start = row_start.copy()
    for matrix, lengths, left_aligned in fields:
        width = matrix.shape[1]
        column = np.arange(width)[None, :]
        if left_aligned:
            inside = column < lengths[:, None]
            target = field_start[:, None] + column
        else:
            inside = column >= (width - lengths)[:, None]
            target = (field_start - width + lengths)[:, None] + column
        text[target[inside]] = matrix[inside]
        field_start += lengths + 1
    return text
