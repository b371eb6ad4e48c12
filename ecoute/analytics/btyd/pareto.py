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

from ecoute.analytics.btyd.fitting import aic, maximise_log_likelihood
from ecoute.analytics.btyd.histories import Histories, unique_pairs
from ecoute.analytics.btyd.hypergeometric import log_hyp2f1_unit
from ecoute.analytics.btyd.model import FittedModel, PurchaseModel

type FloatArray = npt.NDArray[np.float64]

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
        params = np.array([self.r, self.alpha, self.s, self.beta])
        terms = _terms(params, histories.frequency, histories.recency, histories.age, gradient=False)
        return terms.values

    def log_odds_dead(self, x: FloatArray, t_x: FloatArray, age: FloatArray) -> FloatArray:
        params = np.array([self.r, self.alpha, self.s, self.beta])
        terms = _terms(params, x, t_x, age, gradient=False)
        return terms.log_dead - terms.log_alive

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
    scaled = Histories(
        histories.frequency, histories.recency * scale, histories.age * scale, histories.weight
    )
    maximum = maximise_log_likelihood(
        lambda params: pareto_nbd_log_likelihood(params, scaled), np.ones(4), histories.customers
    )
    r, alpha, s, beta = (float(value) for value in maximum.params)
    model = ParetoNbd(r, alpha / scale, s, beta / scale)
    log_likelihood = model.total_log_likelihood(histories)
    return FittedModel(
        model, log_likelihood, aic(log_likelihood, 4), round(histories.customers), maximum.converged
    )


def pareto_nbd_log_likelihood(params: FloatArray, histories: Histories) -> tuple[float, FloatArray]:
    """Total Pareto/NBD log-likelihood at (r, α, s, β) and its gradient."""
    terms = _terms(params, histories.frequency, histories.recency, histories.age, gradient=True)
    weight = histories.weight
    return float(np.dot(weight, terms.values)), terms.gradient @ weight


@dataclass(frozen=True)
class _Terms:
    values: FloatArray
    log_alive: FloatArray
    """ln of the likelihood's first term: the customer is still alive at T."""
    log_dead: FloatArray
    """ln of the second: the customer died between t_x and T."""
    gradient: FloatArray
    """4 × rows: derivatives of each row's log-likelihood in r, α, s, β (empty when not asked)."""


def _terms(
    params: FloatArray, x: FloatArray, t_x: FloatArray, age: FloatArray, *, gradient: bool
) -> _Terms:
    r, alpha, s, beta = (float(value) for value in params)
    log_alpha_age = np.log(alpha + age)
    log_beta_age = np.log(beta + age)
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    log_alive = -(r + x) * log_alpha_age - s * log_beta_age

    # I(y) is needed at y = t_x and y = T; both depend on (x, y) only.
    pair_x, pair_y, pair_of = unique_pairs(np.concatenate([x, x]), np.concatenate([t_x, age]))
    log_i, d_log_i = _log_tail_integral(r, alpha, s, beta, pair_x, pair_y, gradient=gradient)
    rows = x.size
    at_t_x, at_age = pair_of[:rows], pair_of[rows:]
    log_i_t_x, log_i_age = log_i[at_t_x], log_i[at_age]
    gap = log_i_age - log_i_t_x  # <= 0, and 0 exactly when t_x = T
    died = gap < 0.0
    safe_gap = np.where(died, gap, -1.0)
    log_one_minus = np.where(
        safe_gap > -np.log(2.0), np.log(-np.expm1(safe_gap)), np.log1p(-np.exp(safe_gap))
    )
    log_dead = np.where(died, np.log(s) + log_i_t_x + log_one_minus, -np.inf)
    mixture = np.logaddexp(log_alive, log_dead)
    values = common + mixture
    if not gradient:
        return _Terms(values, log_alive, log_dead, np.empty((4, 0)))

    w_dead = np.exp(log_dead - mixture)
    w_alive = 1.0 - w_dead
    # d ln(I(t_x) - I(T)) = (d ln I(t_x) - e^gap d ln I(T)) / (1 - e^gap)
    ratio = np.exp(safe_gap)
    d_dead = (d_log_i[:, at_t_x] - ratio * d_log_i[:, at_age]) / np.where(died, -np.expm1(safe_gap), 1.0)
    d_dead[2] += 1.0 / s
    d_alive = np.stack(
        [-log_alpha_age, -(r + x) / (alpha + age), -log_beta_age, -s / (beta + age)]
    )
    d_common = np.stack(
        [
            digamma(r + x) - digamma(r) + np.log(alpha),
            np.full_like(x, r / alpha),
            np.full_like(x, np.log(beta)),
            np.full_like(x, s / beta),
        ]
    )
    d_values = d_common + w_alive * d_alive + np.where(died, w_dead, 0.0) * d_dead
    return _Terms(values, log_alive, log_dead, d_values)


def _log_tail_integral(  # noqa: PLR0913 - four parameters and a history
    r: float,
    alpha: float,
    s: float,
    beta: float,
    x: FloatArray,
    y: FloatArray,
    *,
    gradient: bool,
) -> tuple[FloatArray, FloatArray]:
    """ln I(y) = ln ∫_y^∞ (α+τ)^-(r+x) (β+τ)^-(s+1) dτ and its derivatives in (r, α, s, β)."""
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
