"""Net Promoter Score: levels, the score with its interval, and the difference between two scores.

Definitions (DESIGN.md): on the 0–10 likelihood-to-recommend scale, 0–6 are detractors, 7–8 passives,
9–10 promoters; NPS = % promoters − % detractors, on −100..100.

Interval — the adjusted Wald method on the trinomial, from Rocks, B. (2016), "Interval Estimation for
the 'Net Promoter Score'", The American Statistician 70(4), 365–372 (arXiv:1601.07235), in the form
MeasuringU (Lewis & Sauro, "Confidence Intervals for Net Promoter Scores", 2021) evaluated and
recommends: add 3/4 of an answer to the promoters and to the detractors and 3 to n, then

    ñ = n + 3,  p̃ = (promoters + 3/4) / ñ,  d̃ = (detractors + 3/4) / ñ,  Ñ = p̃ − d̃
    Var = p̃ + d̃ − (p̃ − d̃)²          (variance of one answer scored +1 / 0 / −1)
    interval = Ñ ± z · √(Var / ñ), clipped to [−1, 1]       (z = 1.96 for 95 %)

Difference of two scores (Lewis & Sauro, "How to Statistically Compare Two Net Promoter Scores",
2021): the same adjustment on each sample, then Ñ₁ − Ñ₂ ± z · √(Var₁/ñ₁ + Var₂/ñ₂), and the
two-sided p-value of Z = (Ñ₁ − Ñ₂) / SE on the normal distribution.

Figures are returned on the −100..100 scale. With one single answer the adjusted centre is pulled
so far towards 0 that the interval misses the observed score (one promoter: NPS 100, interval
−48..98); the interval is then widened to reach the observed score, which every other n satisfies.
With no answer at all the estimate is None and the interval spans −100..100.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

PSEUDO_ANSWERS = 0.75
"""Added to the promoters and to the detractors."""
PSEUDO_N = 3
"""Added to n: the passives thereby receive the remaining 3/2."""


class Level(StrEnum):
    DETRACTOR = "detractor"
    PASSIVE = "passive"
    PROMOTER = "promoter"


def level_of(score: int) -> Level:
    """The level of one answer on the 0–10 scale."""
    if not 0 <= score <= 10:
        raise ValueError(f"an NPS answer is between 0 and 10, not {score}")
    if score >= 9:
        return Level.PROMOTER
    if score >= 7:
        return Level.PASSIVE
    return Level.DETRACTOR


@dataclass(frozen=True)
class NpsCounts:
    promoters: int
    passives: int
    detractors: int

    @property
    def n(self) -> int:
        return self.promoters + self.passives + self.detractors

    @classmethod
    def from_scores(cls, scores: Iterable[int]) -> "NpsCounts":
        counts = dict.fromkeys(Level, 0)
        for score in scores:
            counts[level_of(score)] += 1
        return cls(counts[Level.PROMOTER], counts[Level.PASSIVE], counts[Level.DETRACTOR])


@dataclass(frozen=True)
class NpsEstimate:
    n: int
    estimate: float | None
    """NPS on −100..100; None without answers."""
    low: float
    high: float
    promoters: int
    passives: int
    detractors: int
    confidence: float


@dataclass(frozen=True)
class NpsDifference:
    """NPS of `first` minus NPS of `second`, on −200..200."""

    n_first: int
    n_second: int
    estimate: float | None
    low: float
    high: float
    p_value: float | None
    confidence: float


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence is between 0 and 1, not {confidence}")
    # Imported here: scipy.stats takes a second to import, and levels (level_of) need none of it.
    from scipy.stats import norm

    return float(norm.ppf(0.5 + confidence / 2))


def _adjusted(counts: NpsCounts) -> tuple[float, float]:
    """The adjusted score and the variance of one adjusted answer."""
    n_adj = counts.n + PSEUDO_N
    promoters = (counts.promoters + PSEUDO_ANSWERS) / n_adj
    detractors = (counts.detractors + PSEUDO_ANSWERS) / n_adj
    centre = promoters - detractors
    return centre, promoters + detractors - centre**2


def _raw(counts: NpsCounts) -> float | None:
    return (counts.promoters - counts.detractors) / counts.n if counts.n else None


def nps(counts: NpsCounts, confidence: float = 0.95) -> NpsEstimate:
    """The NPS of `counts` with its adjusted Wald interval."""
    z = _z(confidence)
    centre, variance = _adjusted(counts)
    half_width = z * math.sqrt(variance / (counts.n + PSEUDO_N))
    low, high = max(-1.0, centre - half_width), min(1.0, centre + half_width)
    estimate = _raw(counts)
    if estimate is None:
        low, high = -1.0, 1.0
    else:
        low, high = min(low, estimate), max(high, estimate)
    return NpsEstimate(
        n=counts.n,
        estimate=None if estimate is None else 100 * estimate,
        low=100 * low,
        high=100 * high,
        promoters=counts.promoters,
        passives=counts.passives,
        detractors=counts.detractors,
        confidence=confidence,
    )


def nps_of_scores(scores: Iterable[int], confidence: float = 0.95) -> NpsEstimate:
    return nps(NpsCounts.from_scores(scores), confidence)


def nps_difference(first: NpsCounts, second: NpsCounts, confidence: float = 0.95) -> NpsDifference:
    """The change from `second` (e.g. last period) to `first`, with its interval and p-value."""
    z = _z(confidence)
    centre_1, variance_1 = _adjusted(first)
    centre_2, variance_2 = _adjusted(second)
    difference = centre_1 - centre_2
    standard_error = math.sqrt(variance_1 / (first.n + PSEUDO_N) + variance_2 / (second.n + PSEUDO_N))
    raw_1, raw_2 = _raw(first), _raw(second)
    known = raw_1 is not None and raw_2 is not None
    from scipy.stats import norm

    p_value = 2 * float(norm.sf(abs(difference) / standard_error)) if known else None
    low = max(-2.0, difference - z * standard_error)
    high = min(2.0, difference + z * standard_error)
    estimate = None
    if raw_1 is not None and raw_2 is not None:
        estimate = raw_1 - raw_2
        low, high = min(low, estimate), max(high, estimate)
    else:
        low, high = -2.0, 2.0
    return NpsDifference(
        n_first=first.n,
        n_second=second.n,
        estimate=None if estimate is None else 100 * estimate,
        low=100 * low,
        high=100 * high,
        p_value=p_value,
        confidence=confidence,
    )
