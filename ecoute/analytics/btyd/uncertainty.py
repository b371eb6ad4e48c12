"""95% intervals of each customer's scores and of their totals, by the delta method.

The parameters of a fit are asymptotically normal; so are their logarithms, with the covariance
FittedModel.log_covariance. A score s(θ) then has the variance ∇s' Σ ∇s. Each score is carried on
a scale where normality is a fair approximation and where every value is possible: P(alive) on
the logit scale, purchases and value on the log scale. The intervals are mapped back, so they
stay in [0, 1] or above 0 and always contain the estimate. The purchase model and Gamma-Gamma are
fitted separately, on independent likelihoods: their variances add.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ecoute.analytics.btyd.gamma_gamma import FittedSpend, GammaGamma
from ecoute.analytics.btyd.model import FittedModel, Forecast, PurchaseModel

type FloatArray = npt.NDArray[np.float64]

Z_95 = 1.959963984540054
# Step in log parameters of the forward differences: the gradient's relative error is about
# this size, far below the width of any interval.
_STEP = 1e-6


@dataclass(frozen=True)
class Band:
    """A 95% interval per customer (NaN where the fit gives no covariance)."""

    low: FloatArray
    high: FloatArray


@dataclass(frozen=True)
class Total:
    estimate: float
    low: float
    high: float

    def as_dict(self) -> dict[str, float | None]:
        return {
            "estimate": self.estimate,
            "low": self.low if np.isfinite(self.low) else None,
            "high": self.high if np.isfinite(self.high) else None,
        }


@dataclass(frozen=True)
class ScoreIntervals:
    p_alive: Band
    expected_purchases: Band
    clv: Band | None
    total_expected_purchases: Total
    total_clv: Total | None


def score_intervals(
    fitted: FittedModel,
    spend: FittedSpend | None,
    forecast: Forecast,
    *,
    horizon: int,
    discount_rate: float,
    frequency: FloatArray,
    recency: FloatArray,
    age: FloatArray,
    monetary_value: FloatArray,
) -> ScoreIntervals:
    """Intervals of P(alive), expected purchases and CLV (discounted purchases × expected spend)."""
    model = fitted.model
    with np.errstate(all="ignore"):
        logit_alive = np.log(forecast.p_alive) - np.log1p(-forecast.p_alive)
        log_purchases = np.log(forecast.expected_purchases)
        log_discounted = np.log(forecast.discounted_purchases)
    gradients_alive, gradients_purchases, gradients_discounted = [], [], []
    for index in range(len(model.params())):
        moved = _moved_model(model, index)
        shifted = moved.forecast(horizon, discount_rate, frequency, recency, age)
        with np.errstate(all="ignore"):
            gradients_alive.append(
                (np.log(shifted.p_alive) - np.log1p(-shifted.p_alive) - logit_alive) / _STEP
            )
            gradients_purchases.append((np.log(shifted.expected_purchases) - log_purchases) / _STEP)
            gradients_discounted.append((np.log(shifted.discounted_purchases) - log_discounted) / _STEP)
    covariance = fitted.log_covariance
    alive_sd = _standard_deviation(gradients_alive, covariance)
    purchases_sd = _standard_deviation(gradients_purchases, covariance)
    certain = (forecast.p_alive <= 0.0) | (forecast.p_alive >= 1.0)
    alive_sd = np.where(certain & ~np.isnan(alive_sd), 0.0, alive_sd)
    with np.errstate(all="ignore"):
        p_alive = Band(
            np.where(certain, forecast.p_alive, _expit(logit_alive - Z_95 * alive_sd)),
            np.where(certain, forecast.p_alive, _expit(logit_alive + Z_95 * alive_sd)),
        )
    purchases = _log_band(forecast.expected_purchases, purchases_sd)
    total_purchases = _total(forecast.expected_purchases, gradients_purchases, covariance, [], None)
    if spend is None:
        return ScoreIntervals(p_alive, purchases, None, total_purchases, None)

    spend_model = spend.model
    expected_spend = spend_model.expected_spend(frequency, monetary_value)
    clv = forecast.discounted_purchases * expected_spend
    log_spend = np.log(expected_spend)
    spend_gradients = []
    for index in range(3):
        values = list(spend_model.params().values())
        values[index] *= np.exp(_STEP)
        with np.errstate(all="ignore"):
            moved_spend = GammaGamma(*values).expected_spend(frequency, monetary_value)
            spend_gradients.append((np.log(moved_spend) - log_spend) / _STEP)
    clv_sd = np.sqrt(
        _standard_deviation(gradients_discounted, covariance) ** 2
        + _standard_deviation(spend_gradients, spend.log_covariance) ** 2
    )
    return ScoreIntervals(
        p_alive,
        purchases,
        _log_band(clv, clv_sd),
        total_purchases,
        _total(clv, gradients_discounted, covariance, spend_gradients, spend.log_covariance),
    )


def _moved_model(model: PurchaseModel, index: int) -> PurchaseModel:
    values = list(model.params().values())
    values[index] *= np.exp(_STEP)
    return type(model)(*values)


def _standard_deviation(gradients: list[FloatArray], covariance: FloatArray | None) -> FloatArray:
    rows = gradients[0].size
    if covariance is None:
        return np.full(rows, np.nan)
    matrix = np.nan_to_num(np.stack(gradients), nan=0.0, posinf=0.0, neginf=0.0)
    variance: FloatArray = np.einsum("ik,ij,jk->k", matrix, covariance, matrix)
    deviation: FloatArray = np.sqrt(np.maximum(variance, 0.0))
    return deviation


def _log_band(values: FloatArray, log_sd: FloatArray) -> Band:
    with np.errstate(all="ignore"):
        spread = np.exp(Z_95 * log_sd)
    # A value of 0 is certain on the log scale: its interval is the point.
    return Band(np.where(values > 0, values / spread, values), np.where(values > 0, values * spread, values))


def _total(
    values: FloatArray,
    gradients: list[FloatArray],
    covariance: FloatArray | None,
    spend_gradients: list[FloatArray],
    spend_covariance: FloatArray | None,
) -> Total:
    """Σ values, whose gradient is Σ values_i ∇ ln values_i, with its interval on the log scale."""
    estimate = float(np.nansum(values))
    variance = 0.0
    for parts, matrix in ((gradients, covariance), (spend_gradients, spend_covariance)):
        if not parts:
            continue
        if matrix is None:
            return Total(estimate, np.nan, np.nan)
        weights = np.nan_to_num(values, nan=0.0)
        gradient = np.array([float(np.nansum(weights * part)) for part in parts])
        variance += float(gradient @ matrix @ gradient)
    if estimate <= 0:
        return Total(estimate, estimate, estimate)
    spread = float(np.exp(Z_95 * np.sqrt(max(variance, 0.0)) / estimate))
    return Total(estimate, estimate / spread, estimate * spread)


def _expit(values: FloatArray) -> FloatArray:
    return np.where(
        values >= 0,
        1.0 / (1.0 + np.exp(-np.abs(values))),
        np.exp(-np.abs(values)) / (1.0 + np.exp(-np.abs(values))),
    )
