"""Means of ratings (CES on 1–7, ratings) with a Student t interval.

    mean ± t(1 − α/2, n − 1) · s / √n        (s: sample standard deviation, n − 1 in its denominator)

With no answer the estimate is None and the interval unknown (None); with one answer the mean is
known but not its spread, so the interval is None as well.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy.stats import t


@dataclass(frozen=True)
class MeanEstimate:
    n: int
    estimate: float | None
    low: float | None
    high: float | None
    confidence: float


def mean_with_interval(values: Iterable[float], confidence: float = 0.95) -> MeanEstimate:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence is between 0 and 1, not {confidence}")
    sample = np.asarray(list(values), dtype=np.float64)
    n = int(sample.size)
    if n == 0:
        return MeanEstimate(0, None, None, None, confidence)
    if not np.all(np.isfinite(sample)):
        raise ValueError("every value must be a finite number")
    mean = float(sample.mean())
    if n == 1:
        return MeanEstimate(1, mean, None, None, confidence)
    half_width = float(t.ppf(0.5 + confidence / 2, n - 1)) * float(sample.std(ddof=1)) / math.sqrt(n)
    # Identical values give a zero spread; rounding must not put the mean outside its interval.
    low, high = min(mean, mean - half_width), max(mean, mean + half_width)
    return MeanEstimate(n, mean, low, high, confidence)
