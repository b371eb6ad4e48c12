"""95% intervals of each customer's scores and of their totals, by the delta method.

The parameters of a fit are asymptotically normal; so are their logarithms, with the covariance
FittedModel.log_covariance. A score s(θ) then has the variance ∇s' Σ ∇s. Each score is carried on
a scale where normality is a fair approximation and where every value is possible: P(alive) on
the logit scale, purchases and value on the log scale. The intervals are mapped back, so they
stay in [0, 1] or above 0 and always contain the estimate. The purchase model and Gamma-Gamma are
fitted separately, on independent likelihoods: their variances add.
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ecoute.analytics.btyd.gamma_gamma import FittedSpend
from ecoute.analytics.btyd.histories import DistinctHistories, distinct_histories
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
    """Intervals of P(alive), expected purchases and CLV (discounted purchases × expected spend),
    for customers given one by one with their forecast."""
    distinct = distinct_histories(frequency, recency, age)
    first = np.empty(distinct.rows, dtype=np.int64)
    first[distinct.index[::-1]] = np.arange(distinct.index.size - 1, -1, -1)
    by_row = Forecast(
        forecast.p_alive[first], forecast.expected_purchases[first], forecast.discounted_purchases[first]
    )
    purchases = purchase_intervals(fitted, by_row, distinct, horizon=horizon, discount_rate=discount_rate)
    index = distinct.index
    p_alive = Band(purchases.p_alive.low[index], purchases.p_alive.high[index])
    expected = Band(purchases.expected_purchases.low[index], purchases.expected_purchases.high[index])
    if spend is None:
        return ScoreIntervals(p_alive, expected, None, purchases.total_expected_purchases, None)
    clv = forecast.discounted_purchases * spend.model.expected_spend(frequency, monetary_value)
    band, total = value_interval(
        purchases, fitted, spend, clv, distinct=distinct, frequency=frequency, monetary_value=monetary_value
    )
    return ScoreIntervals(p_alive, expected, band, purchases.total_expected_purchases, total)


@dataclass(frozen=True)
class PurchaseIntervals:
    """Intervals of the purchase model's scores, one per distinct history."""

    p_alive: Band
    expected_purchases: Band
    total_expected_purchases: Total
    discounted_gradients: list[FloatArray]
    """Gradient of ln(discounted purchases) in the log parameters, per distinct history."""


def purchase_intervals(
    fitted: FittedModel,
    forecast: Forecast,
    distinct: DistinctHistories,
    *,
    horizon: int,
    discount_rate: float,
) -> PurchaseIntervals:
    """Intervals of P(alive) and expected purchases of each distinct history (forecast per row)."""
    model = fitted.model
    x, t_x, age = distinct.frequency, distinct.recency, distinct.age
    with np.errstate(all="ignore"):
        logit_alive = np.log(forecast.p_alive) - np.log1p(-forecast.p_alive)
        log_purchases = np.log(forecast.expected_purchases)
        log_discounted = np.log(forecast.discounted_purchases)
    gradients_alive, gradients_purchases, gradients_discounted = [], [], []

    def moved_forecast(index: int) -> Forecast:
        return _moved_model(model, index).forecast(horizon, discount_rate, x, t_x, age)

    # One forecast per parameter moved, two at a time (numpy and scipy leave the interpreter free).
    with ThreadPoolExecutor(2) as pool:
        moved_forecasts = list(pool.map(moved_forecast, range(len(model.params()))))
    for shifted in moved_forecasts:
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
    with np.errstate(all="ignore"):
        per_row = distinct.count * forecast.expected_purchases
    total = _total(
        float(np.nansum(per_row)), [(np.nan_to_num(per_row, nan=0.0), gradients_purchases, covariance)]
    )
    return PurchaseIntervals(
        p_alive, _log_band(forecast.expected_purchases, purchases_sd), total, gradients_discounted
    )


def value_interval(
    purchases: PurchaseIntervals,
    fitted: FittedModel,
    spend: FittedSpend,
    clv: FloatArray,
    *,
    distinct: DistinctHistories,
    frequency: FloatArray,
    monetary_value: FloatArray,
) -> tuple[Band, Total]:
    """The interval of each customer's CLV and of their total: the purchase model's variance (per
    distinct history) and Gamma-Gamma's (per customer) add."""
    spend_gradients = spend.model.log_spend_gradients(frequency, monetary_value)
    discounted_sd = _standard_deviation(purchases.discounted_gradients, fitted.log_covariance)
    clv_sd = np.sqrt(
        discounted_sd[distinct.index] ** 2 + _standard_deviation(spend_gradients, spend.log_covariance) ** 2
    )
    weights = np.nan_to_num(clv, nan=0.0)
    total = _total(
        float(np.nansum(clv)),
        [
            (
                np.bincount(distinct.index, weights=weights, minlength=distinct.rows),
                purchases.discounted_gradients,
                fitted.log_covariance,
            ),
            (weights, spend_gradients, spend.log_covariance),
        ],
    )
    return _log_band(clv, clv_sd), total


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


def _total(estimate: float, pieces: list[tuple[FloatArray, list[FloatArray], FloatArray | None]]) -> Total:
    """A sum of values with its interval on the log scale. Each piece holds the values' weights
    (per row of its gradients), the gradients of their logarithms and the covariance these are
    taken under: the gradient of the sum is Σ weight_i ∇ ln value_i."""
    variance = 0.0
    for weights, parts, matrix in pieces:
        if matrix is None:
            return Total(estimate, np.nan, np.nan)
        with np.errstate(all="ignore"):
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
