"""Pareto/NBD (Schmittlein, Morrison & Colombo 1987).

While active, a customer buys at a Poisson rate λ ~ Gamma(r, α) and stays active for an
exponential lifetime of rate μ ~ Gamma(s, β). Following Fader & Hardie's 2005 note, the likelihood
of (x, t_x, T) is

    Γ(r+x) α^r β^s / Γ(r) · [ (α+T)^-(r+x) (β+T)^-s  +  s ∫_{t_x}^{T} (α+τ)^-(r+x) (β+τ)^-(s+1) dτ ]

and the integral is I(t_x) - I(T) with I(y) = ∫_y^∞, a Gauss hypergeometric function. I is
evaluated in log space with the larger of α and β as the base (so that its argument z lies in
[0, 1)), and after Euler's transformation as (1-z)^k · 2F1(1, b; c; z), which stays finite for any
x and T.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import digamma, gammaln

from ecoute.analytics.btyd.diagnostics import VANISHING_DROPOUT
from ecoute.analytics.btyd.fitting import dot, history_sample, maximise_from_sample
from ecoute.analytics.btyd.histories import Histories, sorted_unique, unique_pairs
from ecoute.analytics.btyd.hypergeometric import log_hyp2f1_unit
from ecoute.analytics.btyd.model import FittedModel, PurchaseModel, judged_fit

type FloatArray = npt.NDArray[np.float64]
type BoolArray = npt.NDArray[np.bool_]

# Where |s - 1| is below this the growth (1 - u^(s-1)) / (s-1) is its limit -ln(u).
_S_NEAR_ONE = 1e-9


@dataclass(frozen=True)
class ParetoNbd(PurchaseModel):
    """Pareto/NBD with parameters r, α (purchase rate) and s, β (dropout rate)."""

    r: float
    alpha: float
    s: float
    beta: float
    name = "pareto"

    def params(self) -> dict[str, float]:
        return {"r": self.r, "alpha": self.alpha, "s": self.s, "beta": self.beta}

    def log_likelihood(self, histories: Histories) -> FloatArray:
        return _Likelihood(histories).rows(self._vector()).values

    def log_odds_dead(self, x: FloatArray, t_x: FloatArray, age: FloatArray) -> FloatArray:
        parts = _Likelihood(Histories(x, t_x, age, np.ones_like(x))).rows(self._vector())
        return parts.log_dead - parts.log_alive

    def _vector(self) -> FloatArray:
        return np.array([self.r, self.alpha, self.s, self.beta])

    def _purchase_scale(self, x: FloatArray, age: FloatArray) -> FloatArray:
        return (self.r + x) * (self.beta + age) / (self.alpha + age)

    def _growth(self, x: FloatArray, age: FloatArray, t: FloatArray) -> FloatArray:
        log_ratio = np.log1p(t / (self.beta + age)) + 0.0 * x
        if abs(self.s - 1.0) < _S_NEAR_ONE:
            return log_ratio
        return -np.expm1(-(self.s - 1.0) * log_ratio) / (self.s - 1.0)


def fit_pareto_nbd(histories: Histories) -> FittedModel:
    """Pareto/NBD at its maximum likelihood."""
    scale = 10.0 / histories.max_age
    scaled_histories = Histories(
        histories.frequency, histories.recency * scale, histories.age * scale, histories.weight
    )
    scaled = _Likelihood(scaled_histories)
    sample = history_sample(scaled_histories)
    maximum = maximise_from_sample(
        scaled.total,
        np.ones(4),
        histories.customers,
        None if sample is None else (_Likelihood(sample).total, sample.customers),
    )
    r, alpha, s, beta = (float(value) for value in maximum.params)
    model = ParetoNbd(r, alpha / scale, s, beta / scale)
    log_likelihood = model.total_log_likelihood(histories)
    # Mean dropout rate per rescaled period (the oldest customer is 10 periods old).
    vanishes = s / beta < VANISHING_DROPOUT
    return judged_fit(model, log_likelihood, scaled.total, maximum, histories, dropout_vanishes=vanishes)


def pareto_nbd_log_likelihood(params: FloatArray, histories: Histories) -> tuple[float, FloatArray]:
    """Total Pareto/NBD log-likelihood at (r, α, s, β) and its gradient."""
    return _Likelihood(histories).total(params)


@dataclass(frozen=True)
class _Parts:
    values: FloatArray
    log_alive: FloatArray
    """ln of the likelihood's first term: the customer is still alive at T."""
    log_dead: FloatArray
    """ln of the second: the customer died between t_x and T."""


class _Likelihood:
    """Pareto/NBD log-likelihood of fixed histories.

    I(y) depends on the history through (x, y) only, with y = t_x or T; both take few distinct
    values (whole days), so I and its derivatives are computed once per distinct pair.
    """

    def __init__(self, histories: Histories) -> None:
        x, t_x, age = histories.frequency, histories.recency, histories.age
        self.x, self.weight = x, histories.weight
        self.total_weight = float(self.weight.sum())
        self.distinct_x = sorted_unique(x)[0]
        self.at_x = np.searchsorted(self.distinct_x, x)
        self.weight_by_x = np.bincount(self.at_x, weights=self.weight, minlength=self.distinct_x.size)
        self.distinct_age = sorted_unique(age)[0]
        self.at_age = np.searchsorted(self.distinct_age, age)
        rows = x.size
        self.pair_x, self.pair_y, pair_of = unique_pairs(np.concatenate([x, x]), np.concatenate([t_x, age]))
        self.pair_at_t_x, self.pair_at_age = pair_of[:rows], pair_of[rows:]
        self.died = t_x < age

    def rows(self, params: FloatArray) -> _Parts:
        return self._parts(params)[0]

    def total(self, params: FloatArray) -> tuple[float, FloatArray]:
        parts, _, d_log_i, extra = self._parts(params, gradient=True)
        r, alpha, s, beta = (float(value) for value in params)
        weight, at_age = self.weight, self.at_age
        log_alpha_age, log_beta_age, gap, died = extra
        w_dead = np.exp(parts.log_dead - np.logaddexp(parts.log_alive, parts.log_dead))
        weight_alive = weight * (1.0 - w_dead)
        weight_dead = weight * w_dead
        r_x = r + self.x
        by_x = self.weight_by_x
        total_weight = self.total_weight
        gradient = np.array(
            [
                dot(by_x, digamma(r + self.distinct_x) - digamma(r)) + total_weight * np.log(alpha),
                total_weight * r / alpha,
                total_weight * np.log(beta),
                total_weight * s / beta,
            ]
        )
        inverse_alpha_age = (1.0 / (alpha + self.distinct_age))[at_age]
        inverse_beta_age = (1.0 / (beta + self.distinct_age))[at_age]
        gradient -= np.array(
            [
                dot(weight_alive, log_alpha_age),
                dot(weight_alive, r_x * inverse_alpha_age),
                dot(weight_alive, log_beta_age),
                dot(weight_alive, inverse_beta_age) * s,
            ]
        )
        # d ln(I(t_x) - I(T)) = (d ln I(t_x) - e^gap d ln I(T)) / (1 - e^gap), summed per pair.
        ratio = np.exp(gap)
        scale = np.divide(weight_dead, -np.expm1(gap), out=np.zeros_like(gap), where=died)
        pairs = self.pair_x.size
        at_t_x_weight = np.bincount(self.pair_at_t_x, weights=scale, minlength=pairs)
        at_age_weight = np.bincount(self.pair_at_age, weights=scale * ratio, minlength=pairs)
        gradient += np.einsum("ij,j->i", d_log_i, at_t_x_weight - at_age_weight)
        gradient[2] += float(weight_dead.sum()) / s
        return dot(weight, parts.values), gradient

    def _parts(
        self, params: FloatArray, *, gradient: bool = False
    ) -> tuple[_Parts, FloatArray, FloatArray, tuple[FloatArray, FloatArray, FloatArray, BoolArray]]:
        r, alpha, s, beta = (float(value) for value in params)
        log_alpha_age = np.log(alpha + self.distinct_age)[self.at_age]
        log_beta_age = np.log(beta + self.distinct_age)[self.at_age]
        common = (gammaln(r + self.distinct_x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta))[self.at_x]
        log_alive = -(r + self.x) * log_alpha_age - s * log_beta_age
        log_i, d_log_i = _log_tail_integral((r, alpha, s, beta), self.pair_x, self.pair_y, gradient=gradient)
        log_i_t_x = log_i[self.pair_at_t_x]
        raw_gap = log_i[self.pair_at_age] - log_i_t_x
        # I(T) < I(t_x) when t_x < T; when T - t_x is below rounding the term is nil anyway.
        died = self.died & (raw_gap < 0.0)
        gap = np.where(died, raw_gap, -1.0)
        log_one_minus = np.where(gap > -np.log(2.0), np.log(-np.expm1(gap)), np.log1p(-np.exp(gap)))
        log_dead = np.where(died, np.log(s) + log_i_t_x + log_one_minus, -np.inf)
        values = common + np.logaddexp(log_alive, log_dead)
        parts = _Parts(values, log_alive, log_dead)
        return parts, log_i, d_log_i, (log_alpha_age, log_beta_age, gap, died)


def _log_tail_integral(
    params: tuple[float, float, float, float], x: FloatArray, y: FloatArray, *, gradient: bool
) -> tuple[FloatArray, FloatArray]:
    """ln I(y) = ln ∫_y^∞ (α+τ)^-(r+x) (β+τ)^-(s+1) dτ and its derivatives in (r, α, s, β)."""
    r, alpha, s, beta = params
    n = r + s + x
    log_alpha_y = np.log(alpha + y)
    log_beta_y = np.log(beta + y)
    if alpha >= beta:
        z = (alpha - beta) / (alpha + y)
        series = log_hyp2f1_unit(r + x, n + 1.0, z)
        value = -(r + x) * log_alpha_y - s * log_beta_y + series.value - np.log(n)
        if not gradient:
            return value, np.empty((4, 0))
        d_r = -log_alpha_y + series.d_b + series.d_c - 1.0 / n
        d_s = -log_beta_y + series.d_c - 1.0 / n
        d_alpha = -(r + x) / (alpha + y) + series.d_z * (beta + y) / (alpha + y) ** 2
        d_beta = -s / (beta + y) - series.d_z / (alpha + y)
    else:
        z = (beta - alpha) / (beta + y)
        series = log_hyp2f1_unit(np.full_like(x, s + 1.0), n + 1.0, z)
        value = (1.0 - r - x) * log_alpha_y - (s + 1.0) * log_beta_y + series.value - np.log(n)
        if not gradient:
            return value, np.empty((4, 0))
        d_r = -log_alpha_y + series.d_c - 1.0 / n
        d_s = -log_beta_y + series.d_b + series.d_c - 1.0 / n
        d_alpha = (1.0 - r - x) / (alpha + y) - series.d_z / (beta + y)
        d_beta = -(s + 1.0) / (beta + y) + series.d_z * (alpha + y) / (beta + y) ** 2
    return value, np.stack([d_r, d_alpha, d_s, d_beta])
