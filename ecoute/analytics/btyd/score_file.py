"""Write a CSV of ids and numbers fast: the text of a million rows is built with numpy.

Each field becomes a zero-padded byte matrix (one row per line); the matrices are laid side by
side with the separators and the padding is dropped in one pass, since no field holds a zero
byte. Numbers have a fixed number of decimals (a point, no exponent), or, where no number of
decimals is given, their full precision (text that reads back as the same double); NaN and
infinities are empty fields. Python's own formatting would take seconds for a million rows of eight columns.
Ids come from the customer's file: the few that a spreadsheet could run as a formula, or that hold
CSV specials, go through the formula-safe writer's field encoding (``ecoute.lib.formula_safe``).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ecoute.analytics.btyd.exact_numbers import exact_number_text
from ecoute.lib.formula_safe import csv_field

type FloatArray = npt.NDArray[np.float64]
type ByteArray = npt.NDArray[np.uint8]
type IntArray = npt.NDArray[np.int64]

_ROWS_PER_WRITE = 100_000
# Beyond 2^53 the scaled integer is no longer exact: such values go through Python's formatting.
_EXACT = 2.0**53
# Bytes that make an id go through csv_field: a formula start or an apostrophe first, or anywhere a
# CSV special or a separator after which another program could see a formula.
_FIRST_BYTES = np.frombuffer(b"=+-@\t\r'", dtype=np.uint8)
_ANY_BYTES = np.frombuffer(b',"\n\r;\t|', dtype=np.uint8)


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
    texts = [
        _number_matrix(column.values, decimals) if isinstance(column, SharedColumn) else None
        for column, decimals in columns
    ]
    with path.open("wb") as stream:
        stream.write((",".join(header) + "\n").encode())
        for start in range(0, ids.size, _ROWS_PER_WRITE):
            rows = slice(start, min(start + _ROWS_PER_WRITE, ids.size))
            fields = [_id_text(ids[rows])]
            for (column, decimals), text in zip(columns, texts, strict=True):
                if isinstance(column, SharedColumn) and text is not None:
                    fields.append(text[column.index[rows]])
                elif not isinstance(column, SharedColumn):
                    fields.append(_number_matrix(column[rows], decimals))
            stream.write(_rows_text(fields).tobytes())


def _number_matrix(values: FloatArray, decimals: int | None) -> ByteArray:
    return exact_number_text(values) if decimals is None else _number_text(values, decimals)


def _id_text(ids: npt.NDArray[np.bytes_]) -> ByteArray:
    """Id bytes; those a spreadsheet could run or that hold CSV specials go through ``csv_field``."""
    width = max(1, ids.dtype.itemsize)
    matrix = np.ascontiguousarray(ids).view(np.uint8).reshape(ids.size, width)
    risky = np.isin(matrix[:, 0], _FIRST_BYTES) | np.isin(matrix, _ANY_BYTES).any(axis=1)
    if risky.any():
        texts = ids.tolist()
        for index in np.flatnonzero(risky).tolist():
            texts[index] = _safe_field(texts[index])
        return _text_matrix(texts)
    return matrix


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


def _rows_text(fields: list[ByteArray]) -> ByteArray:
    """Join the fields of each row with commas, rows with newlines, and drop the padding."""
    rows = fields[0].shape[0]
    comma = np.full((rows, 1), ord(","), dtype=np.uint8)
    newline = np.full((rows, 1), ord("\n"), dtype=np.uint8)
    pieces: list[ByteArray] = []
    for matrix in fields:
        pieces += [matrix, comma]
    pieces[-1] = newline
    table = np.hstack(pieces)
    text: ByteArray = table[table != 0]
    return text
