"""Totals of per-customer values that each carry a 95 % interval: what a segment of customers is
worth, with the interval of the sum.

Each customer's interval (the stored CLV's) comes from the uncertainty of the fitted model's
parameters, which every customer shares: when the parameters move, every customer's value moves the
same way. The customers' errors are therefore not independent. Adding them in quadrature, as the delta
method would under independence (total ± √Σσᵢ²), shrinks the interval by about √n and claims a
precision the fit does not have.

The total's interval is instead the sum of the bounds, Σ lowᵢ to Σ highᵢ:
- exact when the values move together, each a monotone function of the same parameter error
  (comonotone: the quantile of a sum is then the sum of the quantiles);
- otherwise conservative: the per-customer bands are log-normal (value ×/÷ e^{z σᵢ}), and by convexity
  Σ vᵢ e^{z σᵢ} ≥ (Σ vᵢ) e^{z Σ vᵢσᵢ / Σ vᵢ}, the delta method's bound for a perfect correlation.

A value without an interval (a fit that gave no covariance) adds itself to both bounds, and is
counted, so that a page can say how many values the interval leaves out.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

type FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SummedInterval:
    """A sum of values with the interval of the sum (sum of the bounds)."""

    estimate: float
    low: float
    high: float
    values: int
    """How many values were added."""
    without_interval: int
    """Of them, how many had no interval (added to both bounds as they are)."""

    def __add__(self, other: "SummedInterval") -> "SummedInterval":
        """The sum over two disjoint sets of customers: sums of bounds add."""
        return SummedInterval(
            self.estimate + other.estimate,
            self.low + other.low,
            self.high + other.high,
            self.values + other.values,
            self.without_interval + other.without_interval,
        )


NOTHING = SummedInterval(0.0, 0.0, 0.0, 0, 0)


def total(parts: Iterable[SummedInterval]) -> SummedInterval:
    """The sum over disjoint parts (the segments of a table, for its total row)."""
    result = NOTHING
    for part in parts:
        result = result + part
    return result


def sum_with_interval(values: FloatArray, lows: FloatArray, highs: FloatArray) -> SummedInterval:
    """The sum of the finite `values` with the interval Σ lowᵢ to Σ highᵢ; a value whose bounds are
    not both finite counts at its value on both sides. Raises ValueError for a bound on the wrong side
    of its value, which no interval of an estimate has."""
    values, lows, highs = (np.asarray(array, dtype=np.float64) for array in (values, lows, highs))
    if not values.shape == lows.shape == highs.shape:
        raise ValueError("values, lows and highs must have one entry per customer")
    known = np.isfinite(values)
    banded = known & np.isfinite(lows) & np.isfinite(highs)
    if np.any(lows[banded] > values[banded]) or np.any(highs[banded] < values[banded]):
        raise ValueError("every interval must contain its value")
    low = np.where(banded, lows, values)[known]
    high = np.where(banded, highs, values)[known]
    return SummedInterval(
        float(values[known].sum()),
        float(low.sum()),
        float(high.sum()),
        int(known.sum()),
        int((known & ~banded).sum()),
    )
