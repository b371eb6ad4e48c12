"""From a transaction log to each customer's frequency, recency, age and repeat spend.

Conventions (those of the BG/NBD paper and of lifetimes' summary_data_from_transaction_data):
purchases on the same day are one purchase, their amounts summed; frequency counts the purchase
days after the first within the calibration period; recency and age are measured from the first
purchase, in days divided by the period length; monetary value is the mean spend of the repeat
purchase days, the first excluded. Customers whose first purchase falls after the calibration end
are not part of the calibration.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ecoute.analytics.btyd.histories import Histories, compress_histories

type FloatArray = npt.NDArray[np.float64]
type IntArray = npt.NDArray[np.int64]


class NoCustomerError(ValueError):
    """No customer made a first purchase on or before the calibration end."""


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

    @property
    def customers(self) -> int:
        return int(self.customer.size)

    def histories(self) -> Histories:
        return compress_histories(self.frequency, self.recency, self.age)


def summarise_transactions(  # noqa: PLR0913 - the calibration design is this many numbers
    customer: IntArray,
    day: IntArray,
    amount: FloatArray | None,
    *,
    calibration_end: int,
    holdout_end: int | None = None,
    period_days: float = 7.0,
) -> CustomerSummary:
    """Summarise transactions given as customer codes, day numbers and optional amounts.

    Day numbers are any integer count of days (e.g. days since 1970-01-01); the calibration and
    holdout ends are day numbers too, both inclusive.
    """
    if holdout_end is not None and holdout_end <= calibration_end:
        msg = "the holdout end must come after the calibration end"
        raise ValueError(msg)
    last_day = calibration_end if holdout_end is None else holdout_end
    kept = day <= last_day
    customer, day = customer[kept], day[kept]
    if customer.size == 0:
        raise NoCustomerError
    first_day = int(day.min())
    span = int(day.max()) - first_day + 1
    # One key per (customer, day), ordered by customer then day.
    key = customer.astype(np.int64) * span + (day - first_day)
    if amount is not None:
        key, pair_of_row = np.unique(key, return_inverse=True)
        day_amount = np.bincount(pair_of_row.reshape(-1), weights=amount[kept], minlength=key.size)
    else:
        key = np.unique(key)
        day_amount = np.zeros(key.size)
    pair_customer = key // span
    pair_day = key % span + first_day
    starts = np.flatnonzero(np.diff(pair_customer, prepend=-1)).astype(np.int64)
    customer_first_day = pair_day[starts]
    eligible = customer_first_day <= calibration_end
    if not eligible.any():
        raise NoCustomerError

    group = np.cumsum(np.diff(pair_customer, prepend=-1) != 0) - 1
    in_calibration = pair_day <= calibration_end
    is_repeat = in_calibration & (np.arange(key.size) != starts[group])
    groups = starts.size
    repeats = np.bincount(group, weights=is_repeat, minlength=groups)
    last_calibration_day = np.maximum.reduceat(
        np.where(in_calibration, pair_day, np.iinfo(np.int64).min), starts
    )
    repeat_spend = np.bincount(group, weights=np.where(is_repeat, day_amount, 0.0), minlength=groups)
    if amount is None:
        monetary = np.full(groups, np.nan)
    else:
        monetary = np.divide(repeat_spend, repeats, out=np.zeros(groups), where=repeats > 0)
    holdout = None
    if holdout_end is not None:
        holdout = np.bincount(group, weights=~in_calibration, minlength=groups)[eligible]

    return CustomerSummary(
        customer=pair_customer[starts][eligible],
        frequency=repeats[eligible],
        recency=(last_calibration_day - customer_first_day)[eligible] / period_days,
        age=(calibration_end - customer_first_day)[eligible] / period_days,
        monetary_value=monetary[eligible],
        holdout_frequency=holdout,
        holdout_periods=None if holdout_end is None else (holdout_end - calibration_end) / period_days,
        period_days=period_days,
    )
