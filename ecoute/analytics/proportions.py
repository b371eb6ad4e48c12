"""Proportions with their Wilson score interval; CSAT as the top-2-box share.

Wilson interval (Wilson, E. B. (1927), "Probable inference, the law of succession, and statistical
inference", JASA 22, 209–212; method 3 of Newcombe, R. G. (1998), "Two-sided confidence intervals
for the single proportion", Statistics in Medicine 17, 857–872), with p̂ = x / n:

    (p̂ + z²/2n ± z · √(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n)

CSAT (DESIGN.md) = share of answers in the top two boxes (4 and 5 on a 1–5 scale). Figures are
returned as percentages (0..100). With no answer the estimate is None and the interval 0..100.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

from scipy.stats import norm

CSAT_TOP_BOXES = frozenset({4, 5})


@dataclass(frozen=True)
class ProportionEstimate:
    n: int
    successes: int
    estimate: float | None
    """Percentage 0..100; None without answers."""
    low: float
    high: float
    confidence: float


def wilson(successes: int, n: int, confidence: float = 0.95) -> ProportionEstimate:
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and n ({n}), not {successes}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence is between 0 and 1, not {confidence}")
    if n == 0:
        return ProportionEstimate(0, 0, None, 0.0, 100.0, confidence)
    z = float(norm.ppf(0.5 + confidence / 2))
    share = successes / n
    denominator = 1 + z * z / n
    centre = share + z * z / (2 * n)
    half_width = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n))
    # The bounds are exact at 0 and n; rounding must not push them past the share itself.
    low = 0.0 if successes == 0 else min(share, (centre - half_width) / denominator)
    high = 1.0 if successes == n else max(share, (centre + half_width) / denominator)
    return ProportionEstimate(n, successes, 100 * share, 100 * low, 100 * high, confidence)


def csat(answers: Iterable[int], confidence: float = 0.95) -> ProportionEstimate:
    """Top-2-box share of answers on a 1–5 scale, with its Wilson interval."""
    values = list(answers)
    for value in values:
        if not 1 <= value <= 5:
            raise ValueError(f"a CSAT answer is between 1 and 5, not {value}")
    return wilson(sum(value in CSAT_TOP_BOXES for value in values), len(values), confidence)
