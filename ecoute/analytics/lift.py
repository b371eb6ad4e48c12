"""The lift of a campaign against its control group (DESIGN.md: lift = reactivation rate of treatment −
control, two-proportion z-test; attributed revenue = revenue per customer, treatment minus control).

Control split. Each customer falls in the control group when u < share, where u is the first 64 bits of
SHA-256("salt:customer id") read as a fraction of 2⁶⁴: uniform on [0, 1), the same at every run and in
any order of the customers, and independent between campaigns (each has its own salt).

Two proportions. With p̂t = xt / nt and p̂c = xc / nc the lift is p̂t − p̂c; its interval is the
unpooled Wald interval (p̂t − p̂c) ± z · √(p̂t(1 − p̂t)/nt + p̂c(1 − p̂c)/nc); its p-value comes from
the pooled z statistic z = (p̂t − p̂c) / √(p̂(1 − p̂)(1/nt + 1/nc)), p̂ = (xt + xc)/(nt + nc),
two-sided (Newcombe 1998, method 1; any textbook's "two-proportion z-test").

Minimum detectable lift, before launch, for a baseline rate p (what the control group is expected to
do), level α two-sided and power 1 − β:  MDL = (z(1 − α/2) + z(1 − β)) · √(p(1 − p)(1/nt + 1/nc)).

Revenue. Per customer in each group, a mean with its t interval; the difference of the means has
Welch's interval (Welch–Satterthwaite degrees of freedom), and the revenue attributed to the campaign
is that difference times the treatment group's size, with the interval scaled alike.
"""

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm, t

DEFAULT_CONTROL_SHARE = 0.15
# Below this many customers in a group, nothing is said about it (DESIGN.md: minimum n 30).
MINIMUM_GROUP = 30
# A campaign that cannot detect a lift smaller than this (in rate, 0..1) cannot tell anything useful.
USEFUL_LIFT = 0.10
_TWO_TO_64 = float(2**64)


def split_draw(salt: str, customer_id: int | str) -> float:
    """The customer's uniform draw on [0, 1) for the campaign of `salt`."""
    digest = hashlib.sha256(f"{salt}:{customer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / _TWO_TO_64


def in_control(salt: str, customer_id: int | str, share: float = DEFAULT_CONTROL_SHARE) -> bool:
    if not 0 <= share < 1:
        raise ValueError(f"the control share is between 0 and 1 (excluded), not {share}")
    return split_draw(salt, customer_id) < share


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence is between 0 and 1, not {confidence}")
    return float(norm.ppf(0.5 + confidence / 2))


@dataclass(frozen=True)
class Lift:
    treatment_n: int
    treatment_successes: int
    control_n: int
    control_successes: int
    treatment_rate: float | None
    control_rate: float | None
    # Rates and lift as fractions (0..1); None when a group is empty.
    lift: float | None
    low: float | None
    high: float | None
    z: float | None
    p_value: float | None
    confidence: float

    @property
    def too_small(self) -> bool:
        return min(self.treatment_n, self.control_n) < MINIMUM_GROUP


def two_proportion_lift(
    treatment_successes: int,
    treatment_n: int,
    control_successes: int,
    control_n: int,
    confidence: float = 0.95,
) -> Lift:
    """Treatment rate − control rate, its interval and the two-sided p-value of the z-test."""
    for successes, n in ((treatment_successes, treatment_n), (control_successes, control_n)):
        if not 0 <= successes <= n:
            raise ValueError(f"successes must be between 0 and n ({n}), not {successes}")
    z_crit = _z(confidence)
    counts = (treatment_n, treatment_successes, control_n, control_successes)
    if treatment_n == 0 or control_n == 0:
        rate_t = treatment_successes / treatment_n if treatment_n else None
        rate_c = control_successes / control_n if control_n else None
        return Lift(*counts, rate_t, rate_c, None, None, None, None, None, confidence)
    rate_t, rate_c = treatment_successes / treatment_n, control_successes / control_n
    lift = rate_t - rate_c
    spread = math.sqrt(rate_t * (1 - rate_t) / treatment_n + rate_c * (1 - rate_c) / control_n)
    pooled = (treatment_successes + control_successes) / (treatment_n + control_n)
    pooled_se = math.sqrt(pooled * (1 - pooled) * (1 / treatment_n + 1 / control_n))
    if pooled_se == 0:  # nobody, or everybody, came back in both groups: no difference to test
        z, p_value = 0.0, 1.0
    else:
        z = lift / pooled_se
        p_value = float(2 * norm.sf(abs(z)))
    low, high = lift - z_crit * spread, lift + z_crit * spread
    return Lift(*counts, rate_t, rate_c, lift, low, high, z, p_value, confidence)


@dataclass(frozen=True)
class Power:
    treatment_n: int
    control_n: int
    baseline: float
    minimum_detectable_lift: float | None
    """In rate (0..1); None when a group is empty."""
    too_small: bool


def minimum_detectable_lift(
    treatment_n: int, control_n: int, baseline: float, alpha: float = 0.05, power: float = 0.8
) -> Power:
    """The smallest lift these group sizes detect at level `alpha` (two-sided) with `power`, for a
    control group reactivating at `baseline`; too small when a group has fewer than MINIMUM_GROUP
    customers or when that lift exceeds USEFUL_LIFT."""
    if not 0 <= baseline <= 1:
        raise ValueError(f"the baseline rate is between 0 and 1, not {baseline}")
    if not 0 < alpha < 1 or not 0 < power < 1:
        raise ValueError("alpha and power are between 0 and 1")
    if treatment_n <= 0 or control_n <= 0:
        return Power(max(treatment_n, 0), max(control_n, 0), baseline, None, too_small=True)
    # A rate of exactly 0 or 1 has no spread; the nearest rate a real group shows stands in for it.
    p = min(max(baseline, 0.01), 0.99)
    z_sum = float(norm.ppf(1 - alpha / 2) + norm.ppf(power))
    mdl = z_sum * math.sqrt(p * (1 - p) * (1 / treatment_n + 1 / control_n))
    too_small = min(treatment_n, control_n) < MINIMUM_GROUP or mdl > USEFUL_LIFT
    return Power(treatment_n, control_n, baseline, mdl, too_small)


@dataclass(frozen=True)
class RevenueDifference:
    treatment_n: int
    control_n: int
    treatment_mean: float | None
    control_mean: float | None
    difference: float | None
    low: float | None
    high: float | None
    # (treatment mean − control mean) × treatment size, and its interval.
    attributed: float | None
    attributed_low: float | None
    attributed_high: float | None
    confidence: float


def revenue_difference(
    treatment: Sequence[float], control: Sequence[float], confidence: float = 0.95
) -> RevenueDifference:
    """Revenue per customer in each group (zeros included for those who bought nothing), the difference
    with Welch's interval, and the revenue attributed to the campaign."""
    _z(confidence)  # refuses a confidence outside (0, 1)
    a = np.asarray(treatment, dtype=np.float64)
    b = np.asarray(control, dtype=np.float64)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("every revenue must be a finite number")
    n_t, n_c = int(a.size), int(b.size)
    mean_t = float(a.mean()) if n_t else None
    mean_c = float(b.mean()) if n_c else None
    if mean_t is None or mean_c is None:
        return RevenueDifference(n_t, n_c, mean_t, mean_c, None, None, None, None, None, None, confidence)
    difference = mean_t - mean_c
    if n_t < 2 or n_c < 2:  # a spread needs two customers in each group
        attributed = difference * n_t
        return RevenueDifference(
            n_t, n_c, mean_t, mean_c, difference, None, None, attributed, None, None, confidence
        )
    var_t, var_c = float(a.var(ddof=1)) / n_t, float(b.var(ddof=1)) / n_c
    se = math.sqrt(var_t + var_c)
    if se == 0:
        low = high = difference
    else:
        df = (var_t + var_c) ** 2 / (var_t**2 / (n_t - 1) + var_c**2 / (n_c - 1))
        half = float(t.ppf(0.5 + confidence / 2, df)) * se
        low, high = difference - half, difference + half
    return RevenueDifference(
        n_t, n_c, mean_t, mean_c, difference, low, high, difference * n_t, low * n_t, high * n_t, confidence
    )
