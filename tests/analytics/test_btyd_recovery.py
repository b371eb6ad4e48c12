"""Fitted on data simulated by the models themselves, the fits recover the true parameters."""

import numpy as np
import pytest

from ecoute.analytics.btyd import compress_histories, fit_bgnbd, fit_gamma_gamma, fit_mbgnbd, fit_pareto_nbd
from ecoute.analytics.btyd.simulate import simulate_bgnbd, simulate_pareto_nbd, simulate_spend

CUSTOMERS = 20_000
TOLERANCE = 0.15


def observed_ages(rng: np.random.Generator) -> np.ndarray:
    # first purchases spread over 12 weeks, calibration of 52 weeks; whole days, as in real logs
    return (364 - rng.integers(0, 84, CUSTOMERS)) / 7.0


def whole_days(values: np.ndarray) -> np.ndarray:
    return np.floor(values * 7.0) / 7.0


def assert_recovered(fitted: dict[str, float], truth: dict[str, float]) -> None:
    for name, value in truth.items():
        assert fitted[name] == pytest.approx(value, rel=TOLERANCE), name


@pytest.mark.parametrize("modified", [False, True], ids=["bgnbd", "mbgnbd"])
def test_bgnbd_family_recovers_simulated_parameters(modified: bool) -> None:
    # given 20,000 customers simulated from known parameters with a seeded generator
    truth = {"r": 0.5, "alpha": 4.0, "a": 0.8, "b": 2.5}
    rng = np.random.default_rng(2005)
    age = observed_ages(rng)
    purchases = simulate_bgnbd(rng, age, modified=modified, **truth)
    frequency, recency = purchases.frequency_recency()
    # when the model that generated them is fitted
    fit = fit_mbgnbd if modified else fit_bgnbd
    fitted = fit(compress_histories(frequency, whole_days(recency), age))
    # then every parameter is within 15% of the truth
    assert fitted.converged
    assert_recovered(fitted.model.params(), truth)


def test_pareto_nbd_recovers_simulated_parameters() -> None:
    truth = {"r": 0.6, "alpha": 8.0, "s": 0.8, "beta": 10.0}
    rng = np.random.default_rng(1987)
    age = observed_ages(rng)
    purchases = simulate_pareto_nbd(rng, age, **truth)
    frequency, recency = purchases.frequency_recency()
    fitted = fit_pareto_nbd(compress_histories(frequency, whole_days(recency), age))
    assert fitted.converged
    assert_recovered(fitted.model.params(), truth)


def test_gamma_gamma_recovers_simulated_parameters() -> None:
    # given repeat purchases with Gamma-Gamma amounts
    truth = {"p": 6.0, "q": 4.0, "v": 15.0}
    rng = np.random.default_rng(15)
    customers = 40_000
    purchases = simulate_bgnbd(rng, np.full(customers, 52.0), r=1.0, alpha=4.0, a=0.5, b=4.0)
    amount = simulate_spend(rng, purchases.customer, customers, **truth)
    frequency, _ = purchases.frequency_recency()
    is_first = np.diff(purchases.customer, prepend=-1) != 0
    repeat_spend = np.bincount(
        purchases.customer, weights=np.where(is_first, 0.0, amount), minlength=customers
    )
    monetary = np.divide(repeat_spend, frequency, out=np.zeros(customers), where=frequency > 0)
    # when Gamma-Gamma is fitted on the mean repeat spend
    fitted = fit_gamma_gamma(frequency, monetary)
    # then p, q and γ are recovered
    assert fitted.converged
    assert_recovered(fitted.model.params(), truth)


@pytest.mark.parametrize("seed", range(12))
def test_fits_on_a_handful_of_customers_stay_finite_and_quiet(seed: int) -> None:
    # given a few customers only, where the maximum likelihood may lie at the edge of the space
    rng = np.random.default_rng(seed)
    customers = int(rng.integers(1, 8))
    age = rng.integers(1, 100, customers) / 7.0
    frequency = rng.integers(0, 4, customers).astype(np.float64)
    recency = np.where(frequency > 0, np.ceil(rng.random(customers) * age * 7.0) / 7.0, 0.0)
    for fit in (fit_bgnbd, fit_mbgnbd, fit_pareto_nbd):
        # when each model is fitted and forecasts (warnings are errors in the test suite)
        model = fit(compress_histories(frequency, recency, age)).model
        forecast = model.forecast(52, 0.01, frequency, recency, age)
        # then every forecast is a number
        assert np.all(np.isfinite(forecast.p_alive))
        assert np.all(np.isfinite(forecast.expected_purchases))
        assert np.all(np.isfinite(forecast.discounted_purchases))
