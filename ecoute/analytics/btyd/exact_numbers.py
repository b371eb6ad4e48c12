"""Numbers as text that reads back as the very same double, a million at a time.

Python's repr gives the shortest such text but costs about a second per million values. Here a
value a is written as M · 10^-k, M the integer of its first 15 or 16 significant digits when that
text reads back as a (checked exactly: M below 2^53 and 10^k exact make M / 10^k the correctly
rounded reading), otherwise of its first 17, which always read back (M is then the correctly rounded
a · 10^k, found exactly with Dekker's error-free product). Trailing zeros are dropped, and the
notation is plain decimal: 0.00000000000001 rather than 0.000000, 0.1 rather than
0.10000000000000001. The few values out of that range (below about 1e-6 with 17 digits, or above
1e16) go through repr.
"""

import numpy as np
import numpy.typing as npt

type FloatArray = npt.NDArray[np.float64]
type ByteArray = npt.NDArray[np.uint8]
type IntArray = npt.NDArray[np.int64]

_EXACT = 2.0**53
_EXACT_POWERS = 22  # 10^22 is the largest power of ten a double holds exactly
_SPLIT = 134217729.0  # 2^27 + 1, Dekker's splitter
_POWERS = 10 ** np.arange(19, dtype=np.int64)


def exact_number_text(values: FloatArray) -> ByteArray:
    """Right-aligned text of each value (zero bytes before it); NaN and infinities empty."""
    finite = np.isfinite(values)
    absolute = np.abs(np.where(finite, values, 0.0))
    mantissa = np.zeros(values.size, dtype=np.int64)
    decimals = np.zeros(values.size, dtype=np.int64)
    pending = np.flatnonzero(absolute > 0)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        exponent = np.floor(np.log10(absolute[pending])).astype(np.int64)
        # 15, then 16 significant digits, when they read back exactly.
        for digits in (15, 16):
            places = digits - 1 - exponent
            usable = (places >= 0) & (places <= _EXACT_POWERS)
            power = 10.0 ** np.where(usable, places, 0)
            high, low = _exact_product(absolute[pending], power)
            scaled = np.rint(high)
            residual = (high - scaled) + low
            scaled += (residual > 0.5).astype(np.float64) - (residual < -0.5)
            exact = usable & (scaled < _EXACT) & (scaled / power == absolute[pending])
            found = pending[exact]
            mantissa[found] = scaled[exact].astype(np.int64)
            decimals[found] = places[exact]
            pending, exponent = pending[~exact], exponent[~exact]
        # 17 significant digits, correctly rounded: they always read back.
        places = 16 - exponent
        usable = (places >= 0) & (places <= _EXACT_POWERS)
        pending, places = pending[usable], places[usable]
        high, low = _exact_product(absolute[pending], np.power(10.0, places, dtype=np.float64))
        rounded = high.astype(np.int64) + np.rint(low).astype(np.int64)
        good = (high >= _EXACT) & (rounded >= 10**16)
        mantissa[pending[good]] = rounded[good]
        decimals[pending[good]] = places[good]
    rest = np.flatnonzero(finite & (absolute > 0) & (mantissa == 0))
    _drop_trailing_zeros(mantissa, decimals)
    matrix = _decimal_matrix(mantissa, decimals, negative=values < 0)
    matrix[~finite] = 0
    if rest.size:
        matrix = _with_repr(matrix, values, rest)
    return matrix


def _exact_product(a: FloatArray, b: FloatArray) -> tuple[FloatArray, FloatArray]:
    """a · b as high + low exactly (Dekker's TwoProduct, no fused multiply-add needed)."""
    high = a * b
    a_split = _SPLIT * a
    a_high = a_split - (a_split - a)
    a_low = a - a_high
    b_split = _SPLIT * b
    b_high = b_split - (b_split - b)
    b_low = b - b_high
    low = ((a_high * b_high - high) + a_high * b_low + a_low * b_high) + a_low * b_low
    return high, low


def _drop_trailing_zeros(mantissa: IntArray, decimals: IntArray) -> None:
    rows = np.flatnonzero((decimals > 0) & (mantissa % 10 == 0))
    while rows.size:
        mantissa[rows] //= 10
        decimals[rows] -= 1
        rows = rows[(decimals[rows] > 0) & (mantissa[rows] % 10 == 0)]


def _decimal_matrix(mantissa: IntArray, decimals: IntArray, *, negative: npt.NDArray[np.bool_]) -> ByteArray:
    """Sign, integer digits, point and the `decimals` last digits, in columns of their own.

    Zero bytes are dropped when rows are joined, so the integer part is right-aligned and the
    fraction left-aligned, each column filled in one vectorised step.
    """
    rows = mantissa.size
    small = decimals <= _POWERS.size - 1
    divisor = _POWERS[np.where(small, decimals, 0)]
    integer = np.where(small, mantissa // divisor, 0)
    fraction = np.where(small, mantissa % divisor, mantissa)
    integer_digits = 1
    while integer_digits < 19 and (integer >= _POWERS[integer_digits]).any():
        integer_digits += 1
    fraction_digits = int(decimals.max(initial=0))
    width = 1 + integer_digits + 1 + fraction_digits
    matrix = np.zeros((rows, width), dtype=np.uint8, order="F")
    matrix[:, 0] = np.where(negative & (mantissa > 0), ord("-"), 0)
    remaining = integer.copy()
    for position in range(integer_digits):
        column = integer_digits - position
        digit = (remaining % 10 + ord("0")).astype(np.uint8)
        matrix[:, column] = np.where((remaining > 0) | (position == 0), digit, 0)
        remaining //= 10
    if fraction_digits:
        matrix[:, integer_digits + 1] = np.where(decimals > 0, ord("."), 0)
        for place in range(fraction_digits):
            power = _POWERS[np.clip(decimals - 1 - place, 0, _POWERS.size - 1)]
            digit = (fraction // power % 10 + ord("0")).astype(np.uint8)
            matrix[:, integer_digits + 2 + place] = np.where(place < decimals, digit, 0)
    return np.ascontiguousarray(matrix)


def _with_repr(matrix: ByteArray, values: FloatArray, rows: IntArray) -> ByteArray:
    texts = [repr(value).encode() for value in values[rows].tolist()]
    width = max(matrix.shape[1], *(len(text) for text in texts))
    wider = np.zeros((matrix.shape[0], width), dtype=np.uint8)
    wider[:, width - matrix.shape[1] :] = matrix
    for row, text in zip(rows.tolist(), texts, strict=True):
        wider[row] = 0
        wider[row, width - len(text) :] = np.frombuffer(text, dtype=np.uint8)
    return wider
