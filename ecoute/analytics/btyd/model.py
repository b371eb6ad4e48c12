"""What every purchase-count model offers once fitted: P(alive), expected purchases, value.

Each model writes the expected number of purchases in the next t periods as
scale(x, t_x, T) · growth(x, T, t): the scale carries P(alive), the growth depends on the history
only through (x, T). Discounted sums over a horizon then need the growth curve once per unique
(x, T) pair rather than once per customer.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from ecoute.analytics.btyd.diagnostics import FitWarning, diagnose_fit, log_covariance
from ecoute.analytics.btyd.fitting import LogLikelihood, Maximum, aic, dot, log_parameter_hessian
from ecoute.analytics.btyd.histories import Histories, unique_pairs

type FloatArray = npt.NDArray[np.float64]

# Rows of the (pairs × horizon) growth matrix computed at once; bounds memory on long horizons.
_PAIRS_PER_CHUNK = 20_000


def as_floats(values: npt.ArrayLike) -> FloatArray:
    return np.atleast_1d(np.asarray(values, dtype=np.float64))


class HasParams(Protocol):
    def params(self) -> dict[str, float]: ...


class PurchaseModel(ABC):
    """A fitted buy-till-you-die model of purchase counts (BG/NBD, MBG/NBD, Pareto/NBD)."""

    name: str

    @abstractmethod
    def params(self) -> dict[str, float]:
        """Parameters by their names in the papers (alpha, beta spelled out)."""

    @abstractmethod
    def log_likelihood(self, histories: Histories) -> FloatArray:
        """Log-likelihood of each history row (not weighted)."""

    @abstractmethod
    def log_odds_dead(self, x: FloatArray, t_x: FloatArray, age: FloatArray) -> FloatArray:
        """ln(P(dead) / P(alive)) given the history; -inf when the customer cannot be dead."""

    @abstractmethod
    def _purchase_scale(self, x: FloatArray, age: FloatArray) -> FloatArray:
        """The factor of the expected purchases of an alive customer that does not depend on t."""

    @abstractmethod
    def _growth(self, x: FloatArray, age: FloatArray, t: FloatArray) -> FloatArray:
        """Growth of expected purchases with t, 0 at t = 0; broadcasts its arguments."""

    def total_log_likelihood(self, histories: Histories) -> float:
        return dot(histories.weight, self.log_likelihood(histories))

    def p_alive(self, frequency: npt.ArrayLike, recency: npt.ArrayLike, age: npt.ArrayLike) -> FloatArray:
        """Probability that each customer is still active at the end of the calibration."""
        log_odds = self.log_odds_dead(as_floats(frequency), as_floats(recency), as_floats(age))
        # 1 / (1 + e^u) written so that neither branch overflows.
        return np.where(
            log_odds > 0,
            np.exp(-np.maximum(log_odds, 0.0)) / (1.0 + np.exp(-np.maximum(log_odds, 0.0))),
            1.0 / (1.0 + np.exp(np.minimum(log_odds, 0.0))),
        )

    def expected_purchases(
        self,
        periods: float,
        frequency: npt.ArrayLike,
        recency: npt.ArrayLike,
        age: npt.ArrayLike,
    ) -> FloatArray:
        """Expected purchases of each customer in the next `periods` periods."""
        x, t_x, t = as_floats(frequency), as_floats(recency), as_floats(age)
        growth = self._growth(x, t, np.full_like(x, periods))
        return self.p_alive(x, t_x, t) * self._purchase_scale(x, t) * growth

    def expected_repeat_purchases(self, periods: npt.ArrayLike) -> FloatArray:
        """E[X(t)]: expected repeat purchases of a new customer within t periods of the first."""
        t = as_floats(periods)
        zero = np.zeros_like(t)
        # A customer who has just made a first purchase: x = t_x = T = 0.
        scale = self.p_alive(zero, zero, zero) * self._purchase_scale(zero, zero)
        return scale * self._growth(zero, zero, t)

    def discounted_purchases(
        self,
        horizon: int,
        discount_rate: float,
        frequency: npt.ArrayLike,
        recency: npt.ArrayLike,
        age: npt.ArrayLike,
    ) -> FloatArray:
        """Σ over the next `horizon` periods of the purchases expected in each, discounted.

        Multiplied by the expected spend per purchase this is the customer lifetime value over
        the horizon.
        """
        return self.forecast(horizon, discount_rate, frequency, recency, age).discounted_purchases

    def forecast(
        self,
        horizon: int,
        discount_rate: float,
        frequency: npt.ArrayLike,
        recency: npt.ArrayLike,
        age: npt.ArrayLike,
    ) -> "Forecast":
        """P(alive), purchases expected over the horizon, and the same discounted per period."""
        x, t_x, t = as_floats(frequency), as_floats(recency), as_floats(age)
        pair_x, pair_age, pair_of_row = unique_pairs(x, t)
        steps = np.arange(horizon + 1, dtype=np.float64)
        discount = (1.0 + discount_rate) ** -steps[1:]
        discounted = np.empty(pair_x.size)
        total = np.empty(pair_x.size)
        for start in range(0, pair_x.size, _PAIRS_PER_CHUNK):
            chunk = slice(start, start + _PAIRS_PER_CHUNK)
            growth = self._growth(pair_x[chunk, None], pair_age[chunk, None], steps[None, :])
            discounted[chunk] = np.einsum("ij,j->i", np.diff(growth, axis=1), discount)
            total[chunk] = growth[:, -1]
        p_alive = self.p_alive(x, t_x, t)
        scale = p_alive * self._purchase_scale(x, t)
        return Forecast(
            p_alive=p_alive,
            expected_purchases=scale * total[pair_of_row],
            discounted_purchases=scale * discounted[pair_of_row],
        )

    def dert(
        self, discount_rate: float, frequency: npt.ArrayLike, recency: npt.ArrayLike, age: npt.ArrayLike
    ) -> FloatArray:
        """Discounted expected residual transactions (Fader, Hardie & Lee 2005): every purchase
        still to come, over an infinite horizon, discounted continuously at δ = ln(1 + rate).

        DERT = ∫ e^(-δt) dE[X(t)] = δ ∫ e^(-δt) E[X(t)] dt, integrated on a logarithmic time
        scale (where the integrand is smooth from the first day to centuries) by Gauss-Legendre.
        """
        x, t_x, t = as_floats(frequency), as_floats(recency), as_floats(age)
        delta = float(np.log1p(discount_rate))
        if delta <= 0.0:
            return np.full(x.size, np.inf)
        log_t, weights = _dert_nodes(delta)
        times = np.exp(log_t)
        # δ e^(-δt) t: the density of the discounting on the log scale, times the node weights.
        kernel = weights * delta * np.exp(-delta * times) * times
        pair_x, pair_age, pair_of_row = unique_pairs(x, t)
        integral = np.empty(pair_x.size)
        for start in range(0, pair_x.size, _PAIRS_PER_CHUNK // 4):
            chunk = slice(start, start + _PAIRS_PER_CHUNK // 4)
            growth = self._growth(pair_x[chunk, None], pair_age[chunk, None], times[None, :])
            integral[chunk] = np.einsum("ij,j->i", growth, kernel)
        scale = self.p_alive(x, t_x, t) * self._purchase_scale(x, t)
        return scale * integral[pair_of_row]


# Logarithmic time from 1e-9 / δ (no purchase yet) to 60 / δ (e^-60 discounting: nothing left);
# 64 nodes agree with 480 to 1e-12.
_DERT_NODES = 64


def _dert_nodes(delta: float) -> tuple[FloatArray, FloatArray]:
    low, high = np.log(1e-9 / delta), np.log(60.0 / delta)
    nodes, weights = np.polynomial.legendre.leggauss(_DERT_NODES)
    half = (high - low) / 2.0
    return low + half * (nodes + 1.0), half * weights


@dataclass(frozen=True)
class Forecast:
    p_alive: FloatArray
    expected_purchases: FloatArray
    discounted_purchases: FloatArray


class FitQuality:
    """How far to trust a fit: a model's parameters, the fit's warnings and covariance."""

    model: "PurchaseModel | HasParams"
    optimizer_converged: bool
    warnings: tuple[FitWarning, ...]
    log_covariance: FloatArray | None

    @property
    def degenerate(self) -> bool:
        return any(warning.degenerate for warning in self.warnings)

    @property
    def converged(self) -> bool:
        """The optimiser stopped at a maximum that identifies every parameter."""
        return self.optimizer_converged and not self.degenerate

    def standard_errors(self) -> dict[str, float] | None:
        return standard_errors(self.model.params(), self.log_covariance)


@dataclass(frozen=True)
class FittedModel(FitQuality):
    """A model at its maximum likelihood, with what is needed to compare it to others and to
    know how far to trust it."""

    model: PurchaseModel
    log_likelihood: float
    aic: float
    customers: int
    optimizer_converged: bool
    warnings: tuple[FitWarning, ...] = ()
    log_covariance: FloatArray | None = None
    """Asymptotic covariance of the log parameters (in the order of params()); None when the
    likelihood is flat in some direction."""


def judged_fit(
    model: PurchaseModel,
    log_likelihood: float,
    scaled_log_likelihood: LogLikelihood,
    maximum: Maximum,
    histories: Histories,
    *,
    dropout_vanishes: bool,
) -> FittedModel:
    """`model` fitted at `maximum` of the likelihood in rescaled time, with what judges it: the
    Hessian in log parameters (the same whatever the time scale), the AIC, the warnings about its
    parameters and the covariance they come with."""
    hessian = log_parameter_hessian(scaled_log_likelihood, maximum.params)
    customers = round(histories.customers)
    names = list(model.params())
    warnings = diagnose_fit(
        scaled_params={name: float(value) for name, value in zip(names, maximum.params, strict=True)},
        log_hessian=hessian,
        customers=customers,
        repeat_buyers=round(float(histories.weight[histories.frequency > 0].sum())),
        optimizer_converged=maximum.converged,
        dropout_vanishes=dropout_vanishes,
    )
    return FittedModel(
        model,
        log_likelihood,
        aic(log_likelihood, len(names)),
        customers,
        maximum.converged,
        warnings,
        log_covariance(hessian, customers),
    )


def standard_errors(params: dict[str, float], log_covariance: FloatArray | None) -> dict[str, float] | None:
    """θ times the standard error of ln θ: the delta method, as lifetimes' `standard_errors_`."""
    if log_covariance is None:
        return None
    return {
        name: value * float(np.sqrt(max(log_covariance[index, index], 0.0)))
        for index, (name, value) in enumerate(params.items())
    }
