"""BG/NBD (Fader, Hardie & Lee 2005) and MBG/NBD (Batislam, Denizel & Filiztekin 2007).

Both: while active, a customer buys at a Poisson rate λ ~ Gamma(r, α); after each purchase they
drop out with probability p ~ Beta(a, b). MBG/NBD also lets them drop out at the first purchase,
so a customer with no repeat purchase may be inactive. The two share every formula up to a shift
k of b + x (k = 0 for BG/NBD, 1 for MBG/NBD).
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import digamma, gammaln, hyp2f1

from ecoute.analytics.btyd.diagnostics import VANISHING_DROPOUT
from ecoute.analytics.btyd.fitting import dot, history_sample, maximise_from_sample
from ecoute.analytics.btyd.histories import Histories, sorted_unique
from ecoute.analytics.btyd.hypergeometric import log_decay_hyp2f1
from ecoute.analytics.btyd.model import FittedModel, PurchaseModel, judged_fit

type FloatArray = npt.NDArray[np.float64]

# (a - 1) divides the expectations; the limit at a = 1 is finite, the formula is 0 / 0.
_A_NEAR_ONE = 1e-7
# Up to these parameters scipy's hyp2f1 of the transformed decay is exact to 1e-9 (checked
# against mpmath); beyond, its terms cancel.
_SCIPY_EXACT_UP_TO = 100.0


@dataclass(frozen=True)
class BgNbd(PurchaseModel):
    """BG/NBD with parameters r, α (purchase rate) and a, b (dropout probability)."""

    r: float
    alpha: float
    a: float
    b: float
    name = "bgnbd"
    _shift = 0.0

    def params(self) -> dict[str, float]:
        return {"r": self.r, "alpha": self.alpha, "a": self.a, "b": self.b}

    def log_likelihood(self, histories: Histories) -> FloatArray:
        return _log_likelihood_terms(self._vector(), histories, self._shift)

    def log_odds_dead(self, x: FloatArray, t_x: FloatArray, age: FloatArray) -> FloatArray:
        can_be_dead = (x > 0) | (self._shift > 0)
        drop = self.b + x + self._shift - 1.0
        safe_drop = np.where(can_be_dead, drop, 1.0)
        log_odds = (
            np.log(self.a)
            - np.log(safe_drop)
            # log1p keeps the digits of the ratio when α is large (a rate that never changes).
            + (self.r + x) * np.log1p((age - t_x) / (self.alpha + t_x))
        )
        return np.where(can_be_dead, log_odds, -np.inf)

    def _a_minus_one(self) -> float:
        gap = self.a - 1.0
        if abs(gap) < _A_NEAR_ONE:
            return _A_NEAR_ONE if gap >= 0 else -_A_NEAR_ONE
        return gap

    def _purchase_scale(self, x: FloatArray, age: FloatArray) -> FloatArray:
        a_minus_one = self._a_minus_one()
        return (a_minus_one + self.b + x + self._shift) / a_minus_one

    def _growth(self, x: FloatArray, age: FloatArray, t: FloatArray) -> FloatArray:
        # The decay ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x+k; a+b+x+k-1; z) lies in [0, 1]. Euler's
        # transformation (1-z)^(a-1) 2F1(a+b+k-1-r, a-1; a+b+x+k-1; z) has parameters that do
        # not grow with x, so scipy evaluates it fast and exactly for heavy buyers. At the edge
        # of the parameter space (customers who never drop out: r and α, or b, very large) its
        # terms cancel and scipy loses every digit; there, and wherever scipy gives up, the
        # direct form is summed as a series of positive terms.
        a_minus_one = self._a_minus_one()
        z = t / (self.alpha + age + t)
        c = a_minus_one + self.b + x + self._shift
        shape = np.broadcast_shapes(np.shape(x), np.shape(age), np.shape(t))
        if max(self.r, self.a, self.b) > _SCIPY_EXACT_UP_TO:
            log_decay = np.empty(shape)
            by_series = np.ones(shape, dtype=np.bool_)
        else:
            with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
                log_decay = np.broadcast_to(
                    a_minus_one * np.log1p(-z)
                    + np.log(hyp2f1(a_minus_one + self.b + self._shift - self.r, a_minus_one, c, z)),
                    shape,
                ).copy()
            by_series = ~np.isfinite(log_decay)
        # The series needs a positive third parameter: only a + b < 1 with x = 0 lacks one.
        by_series &= np.broadcast_to(c > 0, shape)
        if by_series.any():
            log_decay[by_series] = log_decay_hyp2f1(
                np.broadcast_to(self.r + x, shape)[by_series],
                np.broadcast_to(self.b + x + self._shift, shape)[by_series],
                np.broadcast_to(c, shape)[by_series],
                np.broadcast_to(z, shape)[by_series],
            )
        return -np.expm1(log_decay)

    def _vector(self) -> FloatArray:
        return np.array([self.r, self.alpha, self.a, self.b])


@dataclass(frozen=True)
class MbgNbd(BgNbd):
    """MBG/NBD: BG/NBD where a customer may also drop out right after the first purchase."""

    name = "mbgnbd"
    _shift = 1.0


def fit_bgnbd(histories: Histories) -> FittedModel:
    """BG/NBD at its maximum likelihood."""
    return _fit(histories, shift=0.0, model_class=BgNbd)


def fit_mbgnbd(histories: Histories) -> FittedModel:
    """MBG/NBD at its maximum likelihood."""
    return _fit(histories, shift=1.0, model_class=MbgNbd)


def bgnbd_log_likelihood(params: FloatArray, histories: Histories) -> tuple[float, FloatArray]:
    """Total BG/NBD log-likelihood at (r, α, a, b) and its gradient."""
    return _total(params, histories, 0.0)


def mbgnbd_log_likelihood(params: FloatArray, histories: Histories) -> tuple[float, FloatArray]:
    """Total MBG/NBD log-likelihood at (r, α, a, b) and its gradient."""
    return _total(params, histories, 1.0)


def _fit(histories: Histories, shift: float, model_class: type[BgNbd]) -> FittedModel:
    # Time is rescaled so that the oldest customer is 10 periods old: α then starts near 1 like
    # the other parameters, whatever the period length.
    scale = 10.0 / histories.max_age
    scaled_histories = Histories(
        histories.frequency, histories.recency * scale, histories.age * scale, histories.weight
    )
    scaled = _Likelihood(scaled_histories, shift)
    sample = history_sample(scaled_histories)
    maximum = maximise_from_sample(
        scaled.total,
        np.ones(4),
        histories.customers,
        None if sample is None else (_Likelihood(sample, shift).total, sample.customers),
    )
    r, alpha, a, b = (float(value) for value in maximum.params)
    model = model_class(r, alpha / scale, a, b)
    log_likelihood = _total(np.array([r, alpha / scale, a, b]), histories, shift)[0]
    return judged_fit(
        model,
        log_likelihood,
        scaled.total,
        maximum,
        histories,
        dropout_vanishes=a / (a + b) < VANISHING_DROPOUT,
    )


def _total(params: FloatArray, histories: Histories, shift: float) -> tuple[float, FloatArray]:
    return _Likelihood(histories, shift).total(params)


def _log_likelihood_terms(params: FloatArray, histories: Histories, shift: float) -> FloatArray:
    return _Likelihood(histories, shift).rows(params)


class _Indexed:
    """A column as its distinct values and, per row, the position of its value among them."""

    def __init__(self, column: FloatArray) -> None:
        self.values = sorted_unique(column)[0]
        self.index = np.searchsorted(self.values, column)


class _Likelihood:
    """BG/NBD (shift 0) or MBG/NBD (shift 1) log-likelihood of fixed histories.

    Frequencies, recencies and ages take few distinct values (whole days), so every special
    function and logarithm is computed on those and gathered per row.
    """

    def __init__(self, histories: Histories, shift: float) -> None:
        self.shift = shift
        self.weight = histories.weight
        self.x = _Indexed(histories.frequency)
        self.t_x = _Indexed(histories.recency)
        self.age = _Indexed(histories.age)
        self.weight_by_x = np.bincount(self.x.index, weights=self.weight, minlength=self.x.values.size)
        self.has_dropout = (self.x.values > 0) | (shift > 0)

    def rows(self, params: FloatArray) -> FloatArray:
        return self._evaluate(params, gradient=False)[0]

    def total(self, params: FloatArray) -> tuple[float, FloatArray]:
        values, gradient = self._evaluate(params, gradient=True)
        return dot(self.weight, values), gradient

    def _evaluate(self, params: FloatArray, *, gradient: bool) -> tuple[FloatArray, FloatArray]:
        r, alpha, a, b = (float(value) for value in params)
        shift, xs, at_x = self.shift, self.x.values, self.x.index
        # Per distinct frequency.
        r_xs = r + xs
        per_x = (
            gammaln(r_xs)
            - gammaln(r)
            + r * np.log(alpha)
            + gammaln(a + b)
            + gammaln(b + xs + shift)
            - gammaln(b)
            - gammaln(a + b + xs + shift)
        )
        drop = np.where(self.has_dropout, b + xs + shift - 1.0, 1.0)
        log_a4_constant = np.where(self.has_dropout, np.log(a) - np.log(drop), -np.inf)
        # Per row.
        log_alpha_age = np.log(alpha + self.age.values)[self.age.index]
        log_alpha_t_x = np.log(alpha + self.t_x.values)[self.t_x.index]
        r_x = r_xs[at_x]
        a3 = -r_x * log_alpha_age
        a4 = log_a4_constant[at_x] - r_x * log_alpha_t_x
        mixture = np.logaddexp(a3, a4)
        values = per_x[at_x] + mixture
        if not gradient:
            return values, np.empty(0)

        weight = self.weight
        w4 = np.exp(a4 - mixture)
        w3 = 1.0 - w4
        by_x = self.weight_by_x
        psi_ab = digamma(a + b)
        psi_abx = digamma(a + b + xs + shift)
        inverse_age = (1.0 / (alpha + self.age.values))[self.age.index]
        inverse_t_x = (1.0 / (alpha + self.t_x.values))[self.t_x.index]
        weighted_w4 = weight * w4
        d_r = (
            dot(by_x, digamma(r_xs) - digamma(r) + np.log(alpha))
            - dot(weight, w3 * log_alpha_age)
            - dot(weighted_w4, log_alpha_t_x)
        )
        d_alpha = float(by_x.sum()) * r / alpha - dot(weight * r_x, w3 * inverse_age + w4 * inverse_t_x)
        d_a = dot(by_x, psi_ab - psi_abx) + float(weighted_w4.sum()) / a
        d_b = dot(by_x, psi_ab + digamma(b + xs + shift) - digamma(b) - psi_abx) - dot(
            weighted_w4, (1.0 / drop)[at_x]
        )
        return values, np.array([d_r, d_alpha, d_a, d_b])
