"""Customer ids as integer codes, from the id bytes of every transaction row."""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ecoute.analytics.btyd.csv_fields import OffsetArray
from ecoute.analytics.btyd.histories import sorted_unique, table_ranks

type IntArray = npt.NDArray[np.int64]


def factorise_ids(
    words: npt.NDArray[np.uint64], lengths: OffsetArray, codes: IntArray
) -> npt.NDArray[np.bytes_]:
    """Distinct ids in sorted order; writes each row's id index into codes.

    Sorting (not arg-sorting) 64-bit keys is what numpy does fastest; numeric ids, the usual
    CRM export, go through a lookup table without any sort.
    """
    width = words.shape[1] * 8
    numeric_keys = _numeric_keys(words, lengths)
    numeric = None if numeric_keys is None else numeric_keys[0]
    if numeric_keys is not None:
        numeric, low = numeric_keys
        distinct_numbers, codes[:] = table_ranks(numeric)
        widest = int(lengths.max())
        if int(lengths.min()) == widest:
            # Ids of one width are their number written with leading zeros: no need to look
            # them up in the rows.
            return _zero_padded(distinct_numbers + low, widest)
        del distinct_numbers
    elif (prefixed := _prefixed_numbers(words, lengths)) is not None:
        # Ids such as C0001234: one prefix, then digits, all of one width. Sorted as text they
        # are sorted by their number: a lookup table gives their order without a sort.
        prefix, number, low = prefixed
        distinct_numbers, codes[:] = table_ranks(number)
        digits = _zero_padded(distinct_numbers + low, int(lengths[0]) - prefix.size)
        text = np.empty((digits.size, int(lengths[0])), dtype=np.uint8)
        text[:, : prefix.size] = prefix
        text[:, prefix.size :] = digits.view(np.uint8).reshape(digits.size, -1)
        return text.view(f"S{int(lengths[0])}").reshape(-1)
    elif words.shape[1] == 1:
        # Big-endian words compare like the bytes they hold.
        keys = words[:, 0].byteswap()
        codes[:] = np.searchsorted(sorted_unique(keys)[0], keys)
    else:
        keys = words[:, 0].copy()
        for column in range(1, words.shape[1]):
            keys *= np.uint64(0x9E3779B97F4A7C15)
            keys ^= words[:, column] + np.uint64(0x632BE59BD9B4E019) + (keys >> np.uint64(29))
        codes[:] = np.searchsorted(sorted_unique(keys)[0], keys)
    first = _first_rows(codes)
    if words.shape[1] > 1 and numeric is None and not np.array_equal(words, words[first[codes]]):
        # Two ids share a 64-bit hash: exact, slower.
        _, inverse = np.unique(words.view(f"S{width}").reshape(-1), return_inverse=True)
        codes[:] = inverse.reshape(-1)
        first = _first_rows(codes)
    distinct = words[first].view(f"S{width}").reshape(-1)
    if words.shape[1] > 1 and numeric is None:
        order = np.argsort(distinct)
        rank = np.empty(order.size, dtype=np.int64)
        rank[order] = np.arange(order.size)
        codes[:] = rank[codes]
        distinct = distinct[order]
    return distinct.astype(f"S{max(1, int(lengths.max(initial=1)))}")


def _prefixed_numbers(
    words: npt.NDArray[np.uint64], lengths: OffsetArray
) -> tuple[npt.NDArray[np.uint8], IntArray, int] | None:
    """For ids of one width made of a prefix shared by all (no digit in it) and digits: the
    prefix, each id's number counted from the smallest, and the smallest; None otherwise."""
    if lengths.size == 0 or int(lengths.min()) != int(lengths.max()):
        return None
    width = int(lengths[0])
    values = words.view(np.uint8)[:, :width]
    size = _prefix_size(values)
    if size in {0, width} or width - size > _NUMERIC_DIGITS:
        return None
    number = _digits_number(values[:, size:])
    if number is None:
        return None
    first = values[0]
    low, high = int(number.min()), int(number.max())
    if high - low > max(4 * number.size, 1 << 20):
        return None
    number -= low
    return first[:size].copy(), number, low


def _zero_padded(numbers: IntArray, width: int) -> npt.NDArray[np.bytes_]:
    text = np.empty((numbers.size, width), dtype=np.uint8)
    remaining = numbers.copy()
    for column in range(width - 1, -1, -1):
        text[:, column] = remaining % 10 + ord("0")
        remaining //= 10
    return text.view(f"S{width}").reshape(-1)


def _first_rows(codes: IntArray) -> IntArray:
    """For each code, the first row holding it (the last write of a repeated index wins)."""
    first = np.empty(int(codes.max(initial=-1)) + 1, dtype=np.int64)
    first[codes[::-1]] = np.arange(codes.size - 1, -1, -1, dtype=np.int64)
    return first


_NUMERIC_DIGITS = 17
_ID_ROWS = 500_000


def _numeric_keys(words: npt.NDArray[np.uint64], lengths: OffsetArray) -> tuple[IntArray, int] | None:
    """Dense integer keys for ids made of digits only (leading zeros kept apart), if compact,
    and the number the keys count from."""
    if lengths.size == 0 or int(lengths.max()) > _NUMERIC_DIGITS or int(lengths.min()) < 1:
        return None
    widest = int(lengths.max())
    varying = int(lengths.min()) != widest
    number = np.zeros(words.shape[0], dtype=np.int64)
    for first in range(0, words.shape[0], _ID_ROWS):
        rows = slice(first, first + _ID_ROWS)
        values = words[rows].view(np.uint8)[:, :widest]
        inside = np.arange(widest)[None, :] < lengths[rows, None]
        digit = (values >= ord("0")) & (values <= ord("9"))
        if not (digit | ~inside).all():
            return None
        if varying:
            part = np.zeros(values.shape[0], dtype=np.int64)
            for column in range(widest):
                shifted = part * 10 + (values[:, column].astype(np.int64) - ord("0"))
                part = np.where(inside[:, column], shifted, part)
            number[rows] = part * (_NUMERIC_DIGITS + 1) + lengths[rows]
        else:
            part = np.zeros(values.shape[0], dtype=np.int64)
            for column in range(widest):
                part *= 10
                part += values[:, column]
                part -= ord("0")
            number[rows] = part
    low, high = int(number.min()), int(number.max())
    if high - low > max(4 * number.size, 1 << 20):
        return None  # sparse: a table would waste memory; sort instead
    number -= low
    return number, low


@dataclass(frozen=True)
class NumberedIds:
    """The ids of a chunk of rows that are one prefix (no digit in it) and a number written with
    `digits` digits, all of one width: 0001234, C0001234. Their number is all that needs keeping,
    and it is read while the other columns of the chunk are parsed."""

    prefix: bytes
    digits: int
    number: IntArray

    @property
    def width(self) -> int:
        return len(self.prefix) + self.digits

    def words(self) -> npt.NDArray[np.uint64]:
        """The ids' bytes as ByteMatrix.words gives them: the text is the prefix and the number."""
        rows = self.number.size
        text = np.zeros((rows, (self.width + 7) // 8 * 8), dtype=np.uint8)
        text[:, : len(self.prefix)] = np.frombuffer(self.prefix, dtype=np.uint8)
        digits = _zero_padded(self.number, self.digits).view(np.uint8).reshape(rows, self.digits)
        text[:, len(self.prefix) : self.width] = digits
        return text.view(np.uint64)


def numbered_ids(values: npt.NDArray[np.uint8], lengths: OffsetArray) -> NumberedIds | None:
    """The ids of a (rows × width) byte matrix as NumberedIds, or None when they are not."""
    if lengths.size == 0 or int(lengths.min()) != values.shape[1] or int(lengths.max()) != values.shape[1]:
        return None
    width = values.shape[1]
    size = _prefix_size(values)
    digits = width - size
    if digits == 0 or digits > _NUMERIC_DIGITS:
        return None
    number = _digits_number(values[:, size:])
    if number is None:
        return None
    return NumberedIds(values[0, :size].tobytes(), digits, number)


def _prefix_size(values: npt.NDArray[np.uint8]) -> int:
    """How many leading bytes (no digit among them) every id of the (rows × width) matrix shares."""
    first = values[0]
    size = 0
    while (
        size < values.shape[1]
        and not ord("0") <= int(first[size]) <= ord("9")
        and bool((values[:, size] == first[size]).all())
    ):
        size += 1
    return size


def _digits_number(columns: npt.NDArray[np.uint8]) -> IntArray | None:
    """The number each row's digit bytes write, read _ID_ROWS rows at a time; None when a byte is not
    a digit."""
    number = np.zeros(columns.shape[0], dtype=np.int64)
    for start in range(0, columns.shape[0], _ID_ROWS):
        rows = columns[start : start + _ID_ROWS]
        if int((rows - np.uint8(ord("0"))).max(initial=0)) > 9:  # non-digits wrap above 9
            return None
        part = number[start : start + _ID_ROWS]
        for column in range(rows.shape[1]):
            part *= 10
            part += rows[:, column]
            part -= ord("0")
    return number


def factorise_numbered(parts: list[NumberedIds], codes: IntArray) -> npt.NDArray[np.bytes_] | None:
    """As factorise_ids, for ids read as NumberedIds of one prefix and width that are compact (a
    lookup table rather than a sort); None otherwise, and codes are left alone."""
    if not parts or any((part.prefix, part.digits) != (parts[0].prefix, parts[0].digits) for part in parts):
        return None
    low = min(int(part.number.min()) for part in parts if part.number.size)
    high = max(int(part.number.max()) for part in parts if part.number.size)
    if high - low > max(4 * codes.size, 1 << 20):
        return None  # sparse: a table would waste memory
    present = np.zeros(high - low + 1, dtype=np.bool_)
    for part in parts:
        present[part.number - low] = True
    rank = np.cumsum(present, dtype=np.int64)
    rank -= 1
    start = 0
    for part in parts:
        np.take(rank, part.number - low, out=codes[start : start + part.number.size])
        start += part.number.size
    del rank
    prefix, digits = parts[0].prefix, parts[0].digits
    number = _zero_padded(np.flatnonzero(present) + low, digits)
    if not prefix:
        return number
    width = len(prefix) + digits
    text = np.empty((number.size, width), dtype=np.uint8)
    text[:, : len(prefix)] = np.frombuffer(prefix, dtype=np.uint8)
    text[:, len(prefix) :] = number.view(np.uint8).reshape(number.size, digits)
    return text.view(f"S{width}").reshape(-1)
