"""Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee 2005, "RFM and CLV").

Each purchase of a customer is Gamma(p, ν) distributed, and ν ~ Gamma(q, γ) across customers;
the model is fitted on the mean spend m of the x repeat purchases of each repeat buyer, whose
marginal density is

    Γ(px+q) / (Γ(px) Γ(q)) · γ^q m^(px-1) x^(px) / (γ + m x)^(px+q).

The parameter γ is named "v" in the outputs, as in lifetimes.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import digamma, gammaln

from ecoute.analytics.btyd.diagnostics import FitWarning, diagnose_fit, log_covariance
from ecoute.analytics.btyd.fitting import (
    aic,
    dot,
    log_parameter_hessian,
    maximise_from_sample,
    sample_step,
)
from ecoute.analytics.btyd.histories import sorted_unique
from ecoute.analytics.btyd.model import FitQuality

type FloatArray = npt.NDArray[np.float64]


class NoRepeatBuyerError(ValueError):
    """Gamma-Gamma needs customers with at least one repeat purchase of positive value."""


@dataclass(frozen=True)
class GammaGamma:
    p: float
    q: float
    v: float

    def params(self) -> dict[str, float]:
        return {"p": self.p, "q": self.q, "v": self.v}

    def mean_spend(self) -> float:
        """Mean spend per purchase across customers, p γ / (q - 1); infinite when q <= 1."""
        return self.p * self.v / (self.q - 1.0) if self.q > 1.0 else np.inf

    def expected_spend(self, frequency: npt.ArrayLike, monetary_value: npt.ArrayLike) -> FloatArray:
        """Expected spend per purchase given x repeat purchases of mean value m.

        A weighted mean of the population mean and the customer's own mean, the latter weighing
        more the more purchases it rests on. Customers without repeat purchases get the
        population mean.
        """
        x = np.asarray(frequency, dtype=np.float64)
        m = np.where(x > 0, np.asarray(monetary_value, dtype=np.float64), 0.0)
        weight = self.p * x + self.q - 1.0
        # With q <= 1 the population mean is infinite: no expectation for few purchases.
        safe_weight = np.where(weight > 0, weight, 1.0)
        return np.where(weight > 0, self.p * (self.v + x * m) / safe_weight, np.nan)

    def log_spend_gradients(self, frequency: FloatArray, monetary_value: FloatArray) -> list[FloatArray]:
        """The gradient of ln expected_spend in the log parameters (ln p, ln q, ln v), one array
        per parameter: from ln E = ln p + ln(v + x m) - ln(p x + q - 1), exactly. NaN where the
        expected spend is undefined."""
        x = np.asarray(frequency, dtype=np.float64)
        m = np.where(x > 0, np.asarray(monetary_value, dtype=np.float64), 0.0)
        weight = self.p * x + self.q - 1.0
        with np.errstate(all="ignore"):
            inverse = np.where(weight > 0, 1.0 / weight, np.nan)
            return [(self.q - 1.0) * inverse, -self.q * inverse, self.v / (self.v + x * m)]

    def log_likelihood(self, frequency: FloatArray, monetary_value: FloatArray) -> FloatArray:
        params = np.array([self.p, self.q, self.v])
        return _terms(params, frequency, monetary_value, gradient=False)[0]


@dataclass(frozen=True)
class FittedSpend(FitQuality):
    model: GammaGamma
    log_likelihood: float
    aic: float
    customers: int
    optimizer_converged: bool
    warnings: tuple[FitWarning, ...] = ()
    log_covariance: FloatArray | None = None
    """Asymptotic covariance of ln p, ln q, ln γ; None when the likelihood is flat."""


def repeat_buyers(frequency: FloatArray, monetary_value: FloatArray) -> npt.NDArray[np.bool_]:
    """The customers Gamma-Gamma is fitted on: repeat purchases of positive mean value."""
    return (frequency > 0) & (monetary_value > 0) & np.isfinite(monetary_value)


def fit_gamma_gamma(frequency: FloatArray, monetary_value: FloatArray) -> FittedSpend:
    """Gamma-Gamma at its maximum likelihood, on the repeat buyers among the given customers."""
    kept = repeat_buyers(frequency, monetary_value)
    if not kept.any():
        raise NoRepeatBuyerError
    x = np.asarray(frequency[kept], dtype=np.float64)
    m = np.asarray(monetary_value[kept], dtype=np.float64)
    # Money is rescaled to a mean of 1 so that γ starts near 1 like p and q, in any currency.
    scale = float(m.mean())
    spends = _Spends(x, m / scale)
    step = sample_step(x.size)
    # A systematic sample of the customers (in the order of their ids), each weighing for `step`.
    sample = (
        None if step == 1 else (_Spends(x[::step], m[::step] / scale).log_likelihood, float(x[::step].size))
    )
    maximum = maximise_from_sample(spends.log_likelihood, np.ones(3), float(x.size), sample)
    p, q, v = (float(value) for value in maximum.params)
    model = GammaGamma(p, q, v * scale)
    log_likelihood = float(model.log_likelihood(x, m).sum())
    # The Hessian in log parameters does not change with the money scale.
    hessian = log_parameter_hessian(spends.log_likelihood, maximum.params)
    warnings = diagnose_fit(
        scaled_params={"p": p, "q": q, "v": v},
        log_hessian=hessian,
        customers=int(x.size),
        repeat_buyers=int(x.size),
        optimizer_converged=maximum.converged,
    )
    return FittedSpend(
        model,
        log_likelihood,
        aic(log_likelihood, 3),
        int(x.size),
        maximum.converged,
        warnings,
        log_covariance(hessian, int(x.size)),
    )


def gamma_gamma_log_likelihood(
    params: FloatArray, frequency: FloatArray, monetary_value: FloatArray
) -> tuple[float, FloatArray]:
    """Total Gamma-Gamma log-likelihood at (p, q, γ) and its gradient."""
    spends = _Spends(frequency, monetary_value)
    return spends.log_likelihood(params)


class _Spends:
    """The data of the likelihood, with what does not depend on the parameters computed once.

    Frequencies are small integers: the gamma functions are evaluated once per distinct
    frequency rather than once per customer.
    """

    def __init__(self, x: FloatArray, m: FloatArray) -> None:
        self.x, self.m = x, m
        self.mx = m * x
        self.distinct_x, counts = sorted_unique(x)
        self.x_counts = counts.astype(np.float64)
        log_m, log_x = np.log(m), np.log(x)
        self.sum_log_m = float(log_m.sum())
        self.sum_x_log_mx = float((x * (log_m + log_x)).sum())

    def log_likelihood(self, params: FloatArray) -> tuple[float, FloatArray]:
        p, q, v = (float(value) for value in params)
        x, ux, counts = self.x, self.distinct_x, self.x_counts
        log_v_mx = np.log(v + self.mx)
        # Σ over customers of terms in x alone, as Σ over distinct x of count × term.
        gamma_terms = dot(counts, gammaln(p * ux + q) - gammaln(p * ux)) - x.size * gammaln(q)
        value = (
            gamma_terms
            + x.size * q * np.log(v)
            + p * self.sum_x_log_mx
            - self.sum_log_m
            - float(((p * x + q) * log_v_mx).sum())
        )
        psi_total = digamma(p * ux + q)
        d_p = (
            dot(counts, ux * (psi_total - digamma(p * ux))) + self.sum_x_log_mx - float((x * log_v_mx).sum())
        )
        d_q = dot(counts, psi_total) - x.size * (digamma(q) - np.log(v)) - float(log_v_mx.sum())
        d_v = x.size * q / v - float(((p * x + q) / (v + self.mx)).sum())
        return float(value), np.array([d_p, d_q, d_v])


def _terms(
    params: FloatArray, x: FloatArray, m: FloatArray, *, gradient: bool
) -> tuple[FloatArray, FloatArray]:
    """Per-customer log-likelihood (the gradient is only summed, in _Spends)."""
    p, q, v = (float(value) for value in params)
    px = p * x
    values = (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(v)
        + (px - 1.0) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(v + m * x)
    )
    return values, np.empty(0)
