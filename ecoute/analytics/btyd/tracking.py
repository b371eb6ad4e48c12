"""The papers' tracking chart: cumulative repeat purchases, actual against predicted, week by week.

From the earliest first purchase to the end of the holdout, the repeat purchases made by the
customers of the calibration are added up at the end of each week, and set against what the
model expects of them: Σ E[X(t_i)] where t_i is the time since customer i's first purchase and
E[X(t)] the expected repeat purchases of a customer t after their first (figure 3 of the BG/NBD
paper). A model that fits follows the actual curve past the calibration end.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ecoute.analytics.btyd.histories import sorted_unique
from ecoute.analytics.btyd.model import PurchaseModel

type IntArray = npt.NDArray[np.int64]

WEEK_DAYS = 7


@dataclass(frozen=True)
class Tracking:
    day: list[int]
    """Last day number of each week (the last point is the end of the period, whatever its day)."""
    actual: list[float]
    predicted: list[float]


def track_repeat_purchases(
    model: PurchaseModel,
    *,
    first_day: IntArray,
    repeat_days: IntArray,
    last_day: int,
    period_days: float,
) -> Tracking:
    """Cumulative repeat purchases at the end of each week, from the earliest first purchase.

    `repeat_days` counts the repeat purchase days of each day from the earliest first purchase.
    """
    origin = int(first_day.min())
    ends = np.arange(origin + WEEK_DAYS - 1, last_day + 1, WEEK_DAYS, dtype=np.int64)
    if ends.size == 0 or ends[-1] != last_day:
        ends = np.append(ends, last_day)
    cumulative = np.cumsum(repeat_days, dtype=np.float64)
    actual = cumulative[np.minimum(ends - origin, cumulative.size - 1)]
    starts, counts = sorted_unique(first_day)
    elapsed = np.maximum(ends[:, None] - starts[None, :], 0) / period_days
    expected = model.expected_repeat_purchases(elapsed.ravel()).reshape(elapsed.shape)
    predicted = np.einsum("ij,j->i", expected, counts.astype(np.float64))
    return Tracking(ends.tolist(), actual.tolist(), predicted.tolist())
