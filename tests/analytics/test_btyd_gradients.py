"""Analytic gradients of every likelihood agree with central finite differences."""

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest

from ecoute.analytics.btyd import Histories
from ecoute.analytics.btyd.bgnbd import bgnbd_log_likelihood, mbgnbd_log_likelihood
from ecoute.analytics.btyd.gamma_gamma import GammaGamma, gamma_gamma_log_likelihood
from ecoute.analytics.btyd.pareto import pareto_nbd_log_likelihood
from tests.analytics.btyd_data import cdnow_histories, cdnow_summary

type FloatArray = npt.NDArray[np.float64]
type LogLikelihood = Callable[[FloatArray], tuple[float, FloatArray]]


def finite_difference_gradient(function: LogLikelihood, params: FloatArray) -> FloatArray:
    gradient = np.empty_like(params)
    for index in range(params.size):
        step = np.zeros_like(params)
        step[index] = 1e-6 * params[index]
        upper, lower = function(params + step)[0], function(params - step)[0]
        gradient[index] = (upper - lower) / (2 * step[index])
    return gradient


def assert_gradient_matches(function: LogLikelihood, params: FloatArray) -> None:
    analytic = function(params)[1]
    numeric = finite_difference_gradient(function, params)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("params", [[0.243, 4.414, 0.793, 2.426], [1.5, 0.8, 3.0, 0.6]])
@pytest.mark.parametrize("likelihood", [bgnbd_log_likelihood, mbgnbd_log_likelihood])
def test_bgnbd_family_gradient_matches_finite_differences(
    likelihood: Callable[[FloatArray, Histories], tuple[float, FloatArray]], params: list[float]
) -> None:
    # given the CDNOW histories and parameters away from the optimum
    histories = cdnow_histories()
    # when the gradient is computed analytically and by finite differences
    # then both agree
    assert_gradient_matches(lambda p: likelihood(p, histories), np.array(params))


@pytest.mark.parametrize(
    "params",
    [
        pytest.param([0.553, 10.578, 0.606, 11.669], id="alpha-below-beta"),
        pytest.param([0.55, 15.5, 0.6, 3.7], id="alpha-above-beta"),
        pytest.param([0.55, 1.5, 0.6, 30.7], id="beta-far-above-alpha"),
        pytest.param([0.55, 400.0, 0.6, 2.0], id="near-one-hypergeometric-argument"),
    ],
)
def test_pareto_nbd_gradient_matches_finite_differences(params: list[float]) -> None:
    # given both branches of the hypergeometric formulation, and the z > 0.95 fallback
    histories = cdnow_histories()
    assert_gradient_matches(lambda p: pareto_nbd_log_likelihood(p, histories), np.array(params))


def test_gamma_gamma_gradient_matches_finite_differences() -> None:
    summary = cdnow_summary()
    buyers = (summary.frequency > 0) & (summary.monetary_value > 0)
    x, m = summary.frequency[buyers], summary.monetary_value[buyers]
    assert_gradient_matches(lambda p: gamma_gamma_log_likelihood(p, x, m), np.array([4.0, 2.5, 20.0]))


def test_pareto_nbd_likelihood_stays_finite_for_heavy_buyers_observed_long() -> None:
    # given customers with hundreds of purchases over thousands of periods
    histories = Histories(
        frequency=np.array([0.0, 500.0, 2000.0, 5000.0]),
        recency=np.array([0.0, 900.0, 3000.0, 9999.0]),
        age=np.array([10.0, 1000.0, 5000.0, 10000.0]),
        weight=np.ones(4),
    )
    # when the likelihood is evaluated on either side of α = β
    for params in ([0.5, 10.0, 0.6, 12.0], [0.5, 12.0, 0.6, 10.0]):
        value, gradient = pareto_nbd_log_likelihood(np.array(params), histories)
        # then it is finite, and so is its gradient
        assert np.isfinite(value)
        assert np.all(np.isfinite(gradient))


def test_expected_spend_gradients_in_log_parameters_match_finite_differences() -> None:
    # given a Gamma-Gamma model and customers with no, few and many repeat purchases
    model = GammaGamma(p=6.25, q=3.74, v=15.44)
    frequency = np.array([0.0, 1.0, 2.0, 7.0, 40.0])
    monetary_value = np.array([0.0, 12.5, 48.0, 3.2, 27.9])
    # when the gradient of ln E[spend] in (ln p, ln q, ln v) is taken exactly
    exact = model.log_spend_gradients(frequency, monetary_value)
    # then it is that of central differences on each log parameter
    for index, gradient in enumerate(exact):
        values = [model.p, model.q, model.v]
        upper, lower = list(values), list(values)
        upper[index] *= np.exp(1e-6)
        lower[index] *= np.exp(-1e-6)
        numeric = (
            np.log(GammaGamma(*upper).expected_spend(frequency, monetary_value))
            - np.log(GammaGamma(*lower).expected_spend(frequency, monetary_value))
        ) / 2e-6
        np.testing.assert_allclose(gradient, numeric, rtol=1e-7, atol=1e-9)


def test_expected_spend_gradients_are_undefined_where_the_spend_is() -> None:
    # given a population mean that is infinite (q < 1) and a customer without repeat purchases
    model = GammaGamma(p=0.5, q=0.8, v=10.0)
    # when the gradients are taken
    gradients = model.log_spend_gradients(np.array([0.0, 3.0]), np.array([0.0, 20.0]))
    # then they are NaN for p and q where the expected spend is (and finite where it is known)
    assert np.isnan(model.expected_spend(np.array([0.0]), np.array([0.0])))[0]
    assert np.isnan(gradients[0][0])
    assert np.isnan(gradients[1][0])
    assert np.isfinite(gradients[0][1])
    assert np.isfinite(gradients[1][1])
