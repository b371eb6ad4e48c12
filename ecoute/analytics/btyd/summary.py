"""From a transaction log to each customer's frequency, recency, age and repeat spend.

Conventions (those of the BG/NBD paper and of lifetimes' summary_data_from_transaction_data):
purchases on the same day are one purchase, their amounts summed; frequency counts the purchase
days after the first within the calibration period; recency and age are measured from the first
purchase, in days divided by the period length; monetary value is the mean spend of the repeat
purchase days, the first excluded. Customers whose first purchase falls after the calibration end
are not part of the calibration.

With amounts, a row of negative amount is a refund: not a purchase, so it adds nothing to
frequency, recency or spend (a refund never makes a customer look more alive nor their value
negative). A row of zero amount is a purchase with nothing paid (a free item, a voucher): it
counts as a purchase and adds nothing to spend, as in the CDNOW data of the papers. Rows before
the start, when one is given, and after the end of the period studied are left out. Every row
left out, and every zero amount, is counted in RowCounts.
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ecoute.analytics.btyd.histories import (
    DistinctHistories,
    Histories,
    distinct_day_histories,
    distinct_histories,
)

type FloatArray = npt.NDArray[np.float64]
type IntArray = npt.NDArray[np.int64]


class NoCustomerError(ValueError):
    """No customer made a first purchase on or before the calibration end."""


@dataclass(frozen=True)
class RowCounts:
    """What became of each row of the log."""

    read: int
    purchases: int
    """Rows kept as purchases of the customers scored, holdout included (several on one day
    make one purchase day)."""
    refunds: int
    refund_amount: float
    """Sum of the refunds' amounts (negative)."""
    zero_amounts: int
    """Purchases of zero amount (kept as purchases)."""
    before_start: int
    in_holdout: int
    after_end: int
    """After the calibration end, or after the holdout end when there is one."""
    customers_after_calibration: int
    """Customers whose first purchase falls after the calibration end: not scored."""

    def as_dict(self) -> dict[str, float]:
        return {
            "read": self.read,
            "purchases": self.purchases,
            "refunds": self.refunds,
            "refund_amount": self.refund_amount,
            "zero_amounts": self.zero_amounts,
            "before_start": self.before_start,
            "in_holdout": self.in_holdout,
            "after_end": self.after_end,
            "customers_after_calibration": self.customers_after_calibration,
        }


@dataclass(frozen=True)
class CustomerSummary:
    """One row per customer of the calibration period (arrays of equal length)."""

    customer: IntArray
    """Index of the customer in the caller's table of customer ids."""
    frequency: FloatArray
    recency: FloatArray
    age: FloatArray
    monetary_value: FloatArray
    """Mean spend per repeat purchase day; 0 without repeat purchases, NaN without amounts."""
    holdout_frequency: FloatArray | None
    """Purchase days after the calibration end and up to the holdout end, when one is given."""
    holdout_periods: float | None
    period_days: float
    rows: RowCounts
    first_day: IntArray
    """Day number of each customer's first purchase."""
    repeat_days: IntArray
    """Repeat purchase days of these customers, calibration and holdout, per day number from
    the earliest first purchase (index 0)."""
    days: tuple[IntArray, IntArray] | None = None
    """Recency and age in whole days, when the summary was made from day numbers."""

    @property
    def customers(self) -> int:
        return int(self.customer.size)

    def histories(self) -> Histories:
        """Unique (frequency, recency, age) rows with counts."""
        return self.distinct_histories().histories()

    def distinct_histories(self) -> DistinctHistories:
        """Each customer's row among the distinct (frequency, recency, age) rows: found through
        whole days when recency and age are whole days (fast), by their values otherwise."""
        if self.days is not None:
            return distinct_day_histories(
                self.frequency.astype(np.int64), *self.days, period_days=self.period_days
            )
        recency_days = np.rint(self.recency * self.period_days).astype(np.int64)
        age_days = np.rint(self.age * self.period_days).astype(np.int64)
        if not (
            np.allclose(recency_days / self.period_days, self.recency, rtol=0, atol=1e-9)
            and np.allclose(age_days / self.period_days, self.age, rtol=0, atol=1e-9)
        ):
            return distinct_histories(self.frequency, self.recency, self.age)
        return distinct_day_histories(
            self.frequency.astype(np.int64), recency_days, age_days, period_days=self.period_days
        )


def summarise_transactions(
    customer: IntArray,
    day: IntArray,
    amount: FloatArray | None,
    *,
    calibration_end: int,
    holdout_end: int | None = None,
    period_days: float = 7.0,
    start: int | None = None,
) -> CustomerSummary:
    """Summarise transactions given as customer codes, day numbers and optional amounts.

    Day numbers are any integer count of days (e.g. days since 1970-01-01); the calibration and
    holdout ends are day numbers too, both inclusive.
    """
    if holdout_end is not None and holdout_end <= calibration_end:
        msg = "the holdout end must come after the calibration end"
        raise ValueError(msg)
    customer = np.asarray(customer, dtype=np.int64)
    day = np.asarray(day, dtype=np.int64)
    last_day = calibration_end if holdout_end is None else holdout_end
    read = int(customer.size)
    if customer.size == 0:
        raise NoCustomerError
    customers = int(customer.max()) + 1
    customer, day, amount, left_out = _purchase_rows(customer, day, amount, start)
    late = day > last_day
    after_end = int(late.sum())
    in_holdout = 0 if holdout_end is None else int(((day > calibration_end) & ~late).sum())
    # First purchase day of every customer, then only customers seen by the calibration end.
    first_day = np.full(customers, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_day, customer, day)
    eligible = first_day <= calibration_end
    if not eligible.any():
        raise NoCustomerError
    seen = first_day < np.iinfo(np.int64).max
    kept = ~late & eligible[customer]
    if not kept.all():
        customer, day = customer[kept], day[kept]
        amount = None if amount is None else amount[kept]
    del kept, late
    rows = RowCounts(
        read=read,
        purchases=int(customer.size),
        refunds=left_out.refunds,
        refund_amount=left_out.refund_amount,
        zero_amounts=left_out.zero_amounts,
        before_start=left_out.before_start,
        in_holdout=in_holdout,
        after_end=after_end,
        customers_after_calibration=int((seen & ~eligible).sum()),
    )

    def repeat_spend(amount: FloatArray) -> FloatArray:
        # Repeat spend = calibration spend - spend on the first day (same-day amounts summed).
        after_first = day != first_day[customer]
        if holdout_end is not None:
            after_first &= day <= calibration_end
        return np.bincount(customer, weights=np.where(after_first, amount, 0.0), minlength=customers)

    origin = int(first_day[eligible].min())
    # The spend is summed in a thread while purchase days are counted (numpy leaves the
    # interpreter free on arrays this large).
    with ThreadPoolExecutor(1) as pool:
        spend_job = None if amount is None else pool.submit(repeat_spend, amount)
        purchase_days, last_calibration_day, holdout, repeat_days = _purchase_days(
            customer,
            day,
            customers=customers,
            origin=origin,
            calibration_end=calibration_end,
            last_day=last_day,
            with_holdout=holdout_end is not None,
        )
        monetary_sum = None if spend_job is None else spend_job.result()
    if holdout is not None:
        holdout = holdout[eligible]

    frequency = (purchase_days - 1)[eligible].astype(np.float64)
    if monetary_sum is None:
        monetary = np.full(frequency.size, np.nan)
    else:
        monetary = np.divide(
            monetary_sum[eligible], frequency, out=np.zeros_like(frequency), where=frequency > 0
        )

    first_purchase = first_day[eligible]
    recency_days = last_calibration_day[eligible] - first_purchase
    age_days = calibration_end - first_purchase
    return CustomerSummary(
        customer=np.flatnonzero(eligible).astype(np.int64),
        frequency=frequency,
        recency=recency_days / period_days,
        age=age_days / period_days,
        monetary_value=monetary,
        holdout_frequency=None if holdout is None else holdout.astype(np.float64),
        holdout_periods=None if holdout_end is None else (holdout_end - calibration_end) / period_days,
        period_days=period_days,
        rows=rows,
        first_day=first_purchase,
        repeat_days=repeat_days,
        days=(recency_days, age_days),
    )


@dataclass(frozen=True)
class _LeftOut:
    refunds: int = 0
    refund_amount: float = 0.0
    zero_amounts: int = 0
    before_start: int = 0


def _purchase_rows(
    customer: IntArray, day: IntArray, amount: FloatArray | None, start: int | None
) -> tuple[IntArray, IntArray, FloatArray | None, _LeftOut]:
    """The rows that are purchases: no refund, none before the start."""
    left_out = _LeftOut()
    kept = None
    if amount is not None:
        refund = amount < 0
        left_out = _LeftOut(int(refund.sum()), float(amount[refund].sum()), int((amount == 0).sum()))
        kept = ~refund
    if start is not None:
        early = day < start
        before_start = int((early if kept is None else early & kept).sum())
        left_out = _LeftOut(left_out.refunds, left_out.refund_amount, left_out.zero_amounts, before_start)
        kept = ~early if kept is None else kept & ~early
    if kept is not None and not kept.all():
        customer, day = customer[kept], day[kept]
        amount = None if amount is None else amount[kept]
    return customer, day, amount, left_out


def _purchase_days(
    customer: IntArray,
    day: IntArray,
    *,
    customers: int,
    origin: int,
    calibration_end: int,
    last_day: int,
    with_holdout: bool,
) -> tuple[IntArray, IntArray, IntArray | None, IntArray]:
    """Per customer: distinct purchase days in the calibration, the last of them, and the
    distinct purchase days in the holdout (when there is one); and the number of repeat purchase
    days on each day from the origin."""
    # Distinct (customer, day) pairs: sorting plain integers is what numpy does fastest, and
    # in place it needs no more memory than the keys. A key is the customer's code shifted left
    # by the bits of the day's offset from the origin (shifts and masks rather than products and
    # divisions, which numpy does not vectorise on integers), in 32 bits when it fits: half the
    # memory to sort, and twice as fast.
    span = last_day - origin + 1
    bits = max(1, (span - 1).bit_length())
    key = np.left_shift(
        customer, bits, out=np.empty(customer.size, dtype=_key_type(customers, bits)), casting="unsafe"
    )
    key |= np.subtract(day, origin, out=np.empty_like(key), casting="unsafe")
    key.sort()
    distinct = np.empty(key.size, dtype=np.bool_)
    distinct[0] = True
    np.not_equal(key[1:], key[:-1], out=distinct[1:])
    pairs = key[distinct]
    del key, distinct
    pair_customer = pairs >> bits
    pairs &= (1 << bits) - 1  # now the day, from origin
    pair_offset = pairs
    # Pairs are sorted by customer, then day: a customer's first pair is their first purchase.
    repeat = np.empty(pair_customer.size, dtype=np.bool_)
    repeat[:1] = False
    np.equal(pair_customer[1:], pair_customer[:-1], out=repeat[1:])
    repeat_days = np.bincount(pair_offset[repeat], minlength=span)
    del repeat
    holdout = None
    if not with_holdout:
        purchase_days = np.bincount(pair_customer, minlength=customers)
    else:
        in_calibration = pair_offset <= calibration_end - origin
        holdout = np.bincount(pair_customer[~in_calibration], minlength=customers)
        pair_customer, pair_offset = pair_customer[in_calibration], pair_offset[in_calibration]
        purchase_days = np.bincount(pair_customer, minlength=customers)
    # A customer's last pair is their last purchase day: where the next pair's customer differs.
    last = np.empty(pair_customer.size, dtype=np.bool_)
    last[-1:] = True
    np.not_equal(pair_customer[1:], pair_customer[:-1], out=last[:-1])
    last_calibration_day = np.zeros(customers, dtype=np.int64)
    last_calibration_day[pair_customer[last]] = pair_offset[last]
    last_calibration_day += origin
    return purchase_days, last_calibration_day, holdout, repeat_days


def _key_type(customers: int, bits: int) -> type[np.signedinteger[Any]]:
    """The narrowest integer type that holds every customer code shifted left by `bits`."""
    return np.int32 if customers << bits <= np.iinfo(np.int32).max else np.int64
