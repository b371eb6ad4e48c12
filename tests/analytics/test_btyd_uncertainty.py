"""Standard errors of every parameter, and 95% intervals of each customer's scores and totals."""

from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecoute.analytics.btyd import (
    FittedModel,
    FittedSpend,
    fit_bgnbd,
    fit_gamma_gamma,
    fit_mbgnbd,
    fit_pareto_nbd,
)
from ecoute.analytics.btyd.gamma_gamma import GammaGamma
from ecoute.analytics.btyd.uncertainty import score_intervals
from tests.analytics.btyd_data import cdnow_histories, cdnow_summary

# lifetimes 0.11.3 on the same data: bench/btyd_lifetimes/standard_errors.py prints them.
LIFETIMES_STANDARD_ERRORS = {
    "bgnbd": {
        "r": 0.01255737918102946,
        "alpha": 0.37822410126505274,
        "a": 0.18573374969721013,
        "b": 0.7054138496770803,
    },
    "mbgnbd": {
        "r": 0.08326808867855795,
        "alpha": 0.6956199090361197,
        "a": 0.15478993801747598,
        "b": 0.537494793955482,
    },
    "gamma_gamma": {"p": 1.190055346396437, "q": 0.2901330675936083, "v": 4.159422802215403},
}


@cache
def cdnow_bgnbd() -> FittedModel:
    return fit_bgnbd(cdnow_histories())


@cache
def cdnow_spend() -> FittedSpend:
    summary = cdnow_summary()
    return fit_gamma_gamma(summary.frequency, summary.monetary_value)


@pytest.mark.parametrize("name", ["bgnbd", "mbgnbd", "gamma_gamma"])
def test_standard_errors_equal_those_of_lifetimes_on_cdnow(name: str) -> None:
    # given the CDNOW sample
    # when each model is fitted
    if name == "gamma_gamma":
        fitted: FittedModel | FittedSpend = cdnow_spend()
    else:
        fitted = {"bgnbd": fit_bgnbd, "mbgnbd": fit_mbgnbd}[name](cdnow_histories())
    # then every parameter's standard error is lifetimes' (the optimisers stop within 1e-6)
    errors = fitted.standard_errors()
    assert errors is not None
    assert errors == pytest.approx(LIFETIMES_STANDARD_ERRORS[name], rel=2e-5)


def test_pareto_nbd_has_a_standard_error_for_every_parameter() -> None:
    errors = fit_pareto_nbd(cdnow_histories()).standard_errors()
    assert errors is not None
    assert set(errors) == {"r", "alpha", "s", "beta"}
    assert all(0 < value < np.inf for value in errors.values())


def cdnow_intervals(horizon: int = 52):  # type: ignore[no-untyped-def]
    summary = cdnow_summary()
    fitted, spend = cdnow_bgnbd(), cdnow_spend()
    forecast = fitted.model.forecast(horizon, 0.01, summary.frequency, summary.recency, summary.age)
    intervals = score_intervals(
        fitted,
        spend,
        forecast,
        horizon=horizon,
        discount_rate=0.01,
        frequency=summary.frequency,
        recency=summary.recency,
        age=summary.age,
        monetary_value=summary.monetary_value,
    )
    return forecast, intervals


def test_interval_of_the_total_value_matches_draws_from_the_asymptotic_normal() -> None:
    # given the CDNOW fits and the delta-method interval of the total CLV
    summary = cdnow_summary()
    fitted, spend = cdnow_bgnbd(), cdnow_spend()
    _, intervals = cdnow_intervals()
    total = intervals.total_clv
    assert total is not None
    assert total.low < total.estimate < total.high
    # when parameters are drawn from the asymptotic normal of the log parameters
    rng = np.random.default_rng(7)
    assert fitted.log_covariance is not None
    assert spend.log_covariance is not None
    log_params = np.log(list(fitted.model.params().values()))
    log_spend = np.log(list(spend.model.params().values()))
    draws = []
    for _ in range(300):
        model = type(fitted.model)(*np.exp(rng.multivariate_normal(log_params, fitted.log_covariance)))
        spend_model = GammaGamma(*np.exp(rng.multivariate_normal(log_spend, spend.log_covariance)))
        discounted = model.discounted_purchases(52, 0.01, summary.frequency, summary.recency, summary.age)
        draws.append(
            float((discounted * spend_model.expected_spend(summary.frequency, summary.monetary_value)).sum())
        )
    # then the spread of the totals drawn is the one the interval gives
    low, high = np.percentile(draws, [2.5, 97.5])
    assert low == pytest.approx(total.low, rel=0.03)
    assert high == pytest.approx(total.high, rel=0.03)


histories = st.tuples(
    st.integers(min_value=0, max_value=60),
    st.floats(min_value=0.0, max_value=1.0),
    st.floats(min_value=0.1, max_value=80.0),
    st.floats(min_value=1.0, max_value=500.0),
)


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(histories, min_size=1, max_size=20))
def test_every_interval_contains_its_estimate(rows: list[tuple[int, float, float, float]]) -> None:
    # given any customers: x purchases, the last at a fraction of their age, a mean spend
    x = np.array([row[0] for row in rows], dtype=float)
    age = np.array([row[2] for row in rows])
    t_x = np.where(x > 0, np.array([row[1] for row in rows]) * age, 0.0)
    spend = np.where(x > 0, np.array([row[3] for row in rows]), 0.0)
    fitted = cdnow_bgnbd()
    forecast = fitted.model.forecast(52, 0.01, x, t_x, age)
    # when their intervals are computed
    intervals = score_intervals(
        fitted,
        cdnow_spend(),
        forecast,
        horizon=52,
        discount_rate=0.01,
        frequency=x,
        recency=t_x,
        age=age,
        monetary_value=spend,
    )
    # then P(alive)'s stays within [0, 1] and each interval contains its estimate
    clv = forecast.discounted_purchases * cdnow_spend().model.expected_spend(x, spend)
    assert intervals.clv is not None
    for estimate, band in (
        (forecast.p_alive, intervals.p_alive),
        (forecast.expected_purchases, intervals.expected_purchases),
        (clv, intervals.clv),
    ):
        assert np.all(band.low <= estimate * (1 + 1e-12))
        assert np.all(estimate <= band.high * (1 + 1e-12))
    assert np.all((intervals.p_alive.low >= 0.0) & (intervals.p_alive.high <= 1.0))
