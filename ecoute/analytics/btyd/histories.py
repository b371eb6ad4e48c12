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


def table_ranks(values: IntArray, size: int | None = None) -> tuple[IntArray, IntArray]:
    """Distinct values, sorted, and the rank of each value among them, for non-negative integers
    small enough for a table of every possible value (`size` entries, by default the largest value
    plus one): no sort."""
    present = np.zeros(int(values.max(initial=-1)) + 1 if size is None else size, dtype=np.bool_)
    present[values] = True
    rank = np.cumsum(present, dtype=np.int64)
    rank -= 1
    return np.flatnonzero(present).astype(np.int64), rank[values]


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


@dataclass(frozen=True)
class DistinctHistories:
    """The distinct (frequency, recency, age) rows of a list of customers, and which is whose.

    Every score of a purchase model depends on a customer only through these three numbers, and
    a million customers share a few tens of thousands of them: scores are computed once per row
    and gathered per customer.
    """

    frequency: FloatArray
    recency: FloatArray
    age: FloatArray
    index: IntArray
    """For each customer, their row."""
    count: FloatArray
    """Customers per row."""

    @property
    def rows(self) -> int:
        return int(self.frequency.size)

    def histories(self) -> Histories:
        """The rows with their counts as weights, as the models are fitted on them."""
        return Histories(frequency=self.frequency, recency=self.recency, age=self.age, weight=self.count)


# A dense table of keys is used while it is no larger than this many entries per customer.
_TABLE_PER_ROW = 4


def distinct_histories(frequency: FloatArray, recency: FloatArray, age: FloatArray) -> DistinctHistories:
    """Distinct (frequency, recency, age) rows, sorted, with each customer's row and the counts."""
    columns = [np.asarray(column, dtype=np.float64) for column in (frequency, recency, age)]
    values = [sorted_unique(column)[0] for column in columns]
    ranks = [np.searchsorted(distinct, column) for distinct, column in zip(values, columns, strict=True)]
    return _distinct_rows(values, ranks)


def distinct_day_histories(
    frequency: IntArray, recency_days: IntArray, age_days: IntArray, *, period_days: float
) -> DistinctHistories:
    """distinct_histories of histories counted in whole days (recency and age in days, divided
    by period_days): the same rows, found without sorting. A column of small non-negative
    integers is ranked through a table of its values."""
    columns = [frequency, recency_days, age_days]
    values: list[FloatArray] = []
    ranks: list[IntArray] = []
    for column in columns:
        distinct, rank = table_ranks(column)
        values.append(distinct.astype(np.float64))
        ranks.append(rank)
    values[1] /= period_days
    values[2] /= period_days
    return _distinct_rows(values, ranks)


def _distinct_rows(values: list[FloatArray], ranks: list[IntArray]) -> DistinctHistories:
    """The distinct rows of three columns, given each column's distinct values (sorted) and the
    rank of each row's value among them."""
    key = np.zeros(ranks[0].size, dtype=np.int64)
    size = 1
    for distinct, rank in zip(values, ranks, strict=True):
        key *= distinct.size
        key += rank
        size *= max(1, distinct.size)
    if size <= _TABLE_PER_ROW * key.size + (1 << 20):
        keys, index = table_ranks(key, size)
    else:
        keys = sorted_unique(key)[0]
        index = np.searchsorted(keys, key).astype(np.int64)
    count = np.bincount(index, minlength=keys.size).astype(np.float64)
    sizes = [distinct.size for distinct in values]
    age_rank = keys % sizes[2]
    recency_rank = keys // sizes[2] % sizes[1]
    frequency_rank = keys // (sizes[2] * sizes[1])
    return DistinctHistories(
        frequency=values[0][frequency_rank],
        recency=values[1][recency_rank],
        age=values[2][age_rank],
        index=index,
        count=count,
    )
