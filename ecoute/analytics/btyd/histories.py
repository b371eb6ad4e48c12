"""Purchase histories reduced to the sufficient statistics of the BTYD models.

Every model here sees a customer only through (frequency, recency, age): the number of repeat
purchases x, the time of the last one t_x and the time since the first purchase T, in periods.
Customers who share the three numbers are one row with a weight, so a million customers whose
dates are whole days compress to a few tens of thousands of rows.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

type FloatArray = npt.NDArray[np.float64]
type IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Histories:
    """Unique (frequency, recency, age) rows and how many customers share each."""

    frequency: FloatArray
    recency: FloatArray
    age: FloatArray
    weight: FloatArray

    @property
    def customers(self) -> float:
        return float(self.weight.sum())

    @property
    def max_age(self) -> float:
        return float(self.age.max())


def compress_histories(frequency: npt.ArrayLike, recency: npt.ArrayLike, age: npt.ArrayLike) -> Histories:
    """Group identical (frequency, recency, age) triples; exact, whatever the time unit."""
    x = np.asarray(frequency, dtype=np.float64)
    t_x = np.asarray(recency, dtype=np.float64)
    t = np.asarray(age, dtype=np.float64)
    if not (x.shape == t_x.shape == t.shape) or x.ndim != 1 or x.size == 0:
        msg = "frequency, recency and age must be non-empty arrays of the same length"
        raise ValueError(msg)
    if np.any(x < 0) or np.any(t_x < 0) or np.any(t_x > t) or np.any((x == 0) & (t_x != 0)):
        msg = "expected 0 <= recency <= age, and recency 0 when frequency is 0"
        raise ValueError(msg)
    order, starts = _group_rows(x, t_x, t)
    first = order[starts]
    counts = np.diff(np.append(starts, order.size))
    return Histories(frequency=x[first], recency=t_x[first], age=t[first], weight=counts.astype(np.float64))


def sorted_unique[T: np.generic](
    values: npt.NDArray[T],
) -> tuple[npt.NDArray[T], IntArray]:
    """Distinct values, sorted, and how often each occurs.

    np.sort is much faster than np.unique on millions of integers (numpy 2.5's np.unique takes
    a hashing path that is slower by two orders of magnitude here).
    """
    ordered = np.sort(values)
    if ordered.size == 0:
        return ordered, np.empty(0, dtype=np.int64)
    changed = np.empty(ordered.size, dtype=np.bool_)
    changed[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=changed[1:])
    starts = np.flatnonzero(changed)
    counts = np.diff(np.append(starts, ordered.size)).astype(np.int64)
    return ordered[starts], counts


def unique_pairs(first: FloatArray, second: FloatArray) -> tuple[FloatArray, FloatArray, IntArray]:
    """Unique (first, second) pairs and, for each input row, the index of its pair.

    Each column is replaced by the rank of its value among its distinct values, so that a pair
    is one integer: sorting integers is far faster than sorting rows.
    """
    first_values = sorted_unique(first)[0]
    second_values = sorted_unique(second)[0]
    key = np.searchsorted(first_values, first).astype(np.int64) * second_values.size
    key += np.searchsorted(second_values, second)
    keys = sorted_unique(key)[0]
    inverse = np.searchsorted(keys, key).astype(np.int64)
    return first_values[keys // second_values.size], second_values[keys % second_values.size], inverse


def _group_rows(*columns: FloatArray) -> tuple[IntArray, IntArray]:
    """Sort rows by the columns (first column most significant); start of each run of equals."""
    order = np.lexsort(columns[::-1]).astype(np.int64)
    changed = np.zeros(order.size, dtype=np.bool_)
    changed[0] = True
    for column in columns:
        ordered = column[order]
        changed[1:] |= ordered[1:] != ordered[:-1]
    return order, np.flatnonzero(changed).astype(np.int64)
