"""Amounts of transaction rows as French and English exports write them."""

import numpy as np
import numpy.typing as npt

from ecoute.analytics.btyd.csv_fields import MAX_VALUE_WIDTH, ByteMatrix

type FloatArray = npt.NDArray[np.float64]


# Bytes of the spaces and currency sign allowed in amounts, as UTF-8 sequences.
_IGNORED_SEQUENCES = (b" ", b"\xc2\xa0", b"\xe2\x80\xaf", b"\xe2\x82\xac")
_POWERS = 10.0 ** np.arange(MAX_VALUE_WIDTH + 1)


# Byte classes for the fast path of amounts: 0 padding, 1 digit, 2 separator, 3 minus, 4 other.
_AMOUNT_CLASS = np.full(256, 4, dtype=np.uint8)
_AMOUNT_CLASS[0] = 0
_AMOUNT_CLASS[ord("0") : ord("9") + 1] = 1
_AMOUNT_CLASS[[ord(","), ord(".")]] = 2
_AMOUNT_CLASS[ord("-")] = 3
_MAX_DIGITS = 15


def parse_amounts(matrix: ByteMatrix) -> tuple[FloatArray, int | None]:
    """Amounts such as 12,50 · 1 234,50 € · -3.2 · 1.234,5; or the first bad row.

    The decimal separator is the last comma or point; other commas and points group thousands,
    as does a comma or point that appears several times alone.
    """
    simple = _simple_amounts(matrix)
    if simple is not None:
        return simple, None
    values = matrix.values
    rows, width = values.shape
    inside = np.arange(width)[None, :] < matrix.lengths[:, None]
    digit = (values >= ord("0")) & (values <= ord("9"))
    comma = values == ord(",")
    point = values == ord(".")
    minus = values == ord("-")
    ignored = np.zeros_like(digit)
    for sequence in _IGNORED_SEQUENCES:
        size = len(sequence)
        if size > width:
            continue
        match = np.ones((rows, width - size + 1), dtype=np.bool_)
        for shift, byte in enumerate(sequence):
            match &= values[:, shift : width - size + 1 + shift] == byte
        for shift in range(size):
            ignored[:, shift : width - size + 1 + shift] |= match
    separator = comma | point
    unknown = inside & ~(digit | separator | minus | ignored)

    has_digit = digit.any(axis=1)
    first_digit = np.argmax(digit, axis=1)
    minus_count = minus.sum(axis=1)
    minus_at = np.argmax(minus, axis=1)
    bad_sign = (minus_count > 1) | ((minus_count == 1) & (minus_at > first_digit))
    # The decimal separator: the last separator, unless it is the only kind and repeated.
    last_separator = width - 1 - np.argmax(separator[:, ::-1], axis=1)
    has_separator = separator.any(axis=1)
    repeated_alone = ((comma.sum(axis=1) > 1) & ~point.any(axis=1)) | (
        (point.sum(axis=1) > 1) & ~comma.any(axis=1)
    )
    decimal_at = np.where(has_separator & ~repeated_alone, last_separator, width)
    digits_after = np.cumsum(digit[:, ::-1], axis=1)[:, ::-1] - digit
    weights = np.where(digit, _POWERS[digits_after], 0.0)
    mantissa = ((values.astype(np.float64) - ord("0")) * weights).sum(axis=1)
    fraction_digits = np.where(
        decimal_at < width, digits_after[np.arange(rows), np.minimum(decimal_at, width - 1)], 0
    )
    # digits_after at a separator counts the digits to its right, which is what is wanted.
    amount = mantissa / _POWERS[fraction_digits]
    amount = np.where(minus_count == 1, -amount, amount)
    bad = unknown.any(axis=1) | ~has_digit | bad_sign | (digit.sum(axis=1) > _MAX_DIGITS)
    bad |= matrix.lengths >= MAX_VALUE_WIDTH
    if bad.any():
        return amount, int(np.argmax(bad))
    return amount, None


def _simple_amounts(matrix: ByteMatrix) -> FloatArray | None:
    """Digits with at most one separator and a leading minus, or None for the general path.

    Horner's rule on the digits is exact in 64-bit integers up to 15 digits; one division by a
    power of ten then rounds correctly, as parsing the text would.
    """
    values = matrix.values
    kind = _AMOUNT_CLASS[values]
    if int(kind.max(initial=0)) == 4 or (kind[:, 1:] == 3).any():
        return None
    if (matrix.lengths >= MAX_VALUE_WIDTH).any():
        return None
    # Column by column, each column contiguous.
    by_column, kind_by_column = np.ascontiguousarray(values.T), np.ascontiguousarray(kind.T)
    rows = values.shape[0]
    mantissa = np.zeros(rows, dtype=np.int64)
    decimals = np.zeros(rows, dtype=np.int64)
    digits = np.zeros(rows, dtype=np.int64)
    separators = np.zeros(rows, dtype=np.int64)
    for column, kinds in zip(by_column, kind_by_column, strict=True):
        is_digit = kinds == 1
        mantissa = np.where(is_digit, mantissa * 10 + column - ord("0"), mantissa)
        separators += kinds == 2
        decimals += is_digit & (separators > 0)
        digits += is_digit
    if int(separators.max(initial=0)) > 1:
        return None
    if int(digits.min(initial=1)) == 0 or int(digits.max(initial=0)) > _MAX_DIGITS:
        return None
    amount: FloatArray = mantissa / _POWERS[decimals]
    return np.where(kind[:, 0] == 3, -amount, amount)
