"""Large tables are fitted from the maximum of a sample of their rows: the same maximum, sooner."""

from collections.abc import Callable

import numpy as np
import pytest

from ecoute.analytics.btyd import Histories, compress_histories
from ecoute.analytics.btyd.bgnbd import bgnbd_log_likelihood, fit_bgnbd, fit_mbgnbd, mbgnbd_log_likelihood
from ecoute.analytics.btyd.fitting import SAMPLE_ROWS, maximise_log_likelihood
from ecoute.analytics.btyd.gamma_gamma import fit_gamma_gamma, gamma_gamma_log_likelihood
from ecoute.analytics.btyd.model import FittedModel
from ecoute.analytics.btyd.pareto import fit_pareto_nbd, pareto_nbd_log_likelihood
from ecoute.analytics.btyd.simulate import simulate_bgnbd, simulate_spend

CUSTOMERS = 2 * SAMPLE_ROWS + 2_000


def many_histories(customers: int = CUSTOMERS) -> tuple[Histories, np.ndarray, np.ndarray]:
    """Histories in continuous time (no two alike, so more rows than a sample holds), and each
    customer's frequency and mean repeat spend."""
    rng = np.random.default_rng(11)
    age = rng.uniform(30.0, 52.0, customers)
    purchases = simulate_bgnbd(rng, age, r=0.8, alpha=5.0, a=0.6, b=2.5)
    frequency, recency = purchases.frequency_recency()
    amount = simulate_spend(rng, purchases.customer, customers, p=6.0, q=4.0, v=15.0)
    is_first = np.diff(purchases.customer, prepend=-1) != 0
    spend = np.bincount(purchases.customer, weights=np.where(is_first, 0.0, amount), minlength=customers)
    monetary = np.divide(spend, frequency, out=np.zeros(customers), where=frequency > 0)
    return compress_histories(frequency, recency, age), frequency, monetary


def direct_maximum(
    likelihood: Callable[[np.ndarray], tuple[float, np.ndarray]], size: int, total: float
) -> np.ndarray:
    return maximise_log_likelihood(likelihood, np.ones(size), total).params


@pytest.mark.parametrize(
    ("fit", "likelihood"),
    [
        (fit_bgnbd, bgnbd_log_likelihood),
        (fit_mbgnbd, mbgnbd_log_likelihood),
        (fit_pareto_nbd, pareto_nbd_log_likelihood),
    ],
)
def test_a_purchase_model_fitted_from_a_sample_reaches_the_direct_maximum(
    fit: Callable[[Histories], FittedModel],
    likelihood: Callable[[np.ndarray, Histories], tuple[float, np.ndarray]],
) -> None:
    # given more distinct histories than a sample holds
    histories, _, _ = many_histories()
    assert histories.frequency.size > 2 * SAMPLE_ROWS
    # when the model is fitted (from its sample's maximum) and maximised directly from the start
    fitted = fit(histories)
    direct = direct_maximum(lambda params: likelihood(params, histories), 4, histories.customers)
    # then both reach the same maximum, converged
    assert fitted.converged
    np.testing.assert_allclose(list(fitted.model.params().values()), direct, rtol=1e-5)


def test_gamma_gamma_fitted_from_a_sample_reaches_the_direct_maximum() -> None:
    # given more repeat buyers than a sample holds
    _, frequency, monetary = many_histories(3 * CUSTOMERS)
    buyers = (frequency > 0) & (monetary > 0)
    assert int(buyers.sum()) > 2 * SAMPLE_ROWS
    # when Gamma-Gamma is fitted (from its sample's maximum) and maximised directly
    fitted = fit_gamma_gamma(frequency, monetary)
    x, m = frequency[buyers], monetary[buyers]
    direct = direct_maximum(lambda params: gamma_gamma_log_likelihood(params, x, m), 3, float(x.size))
    # then both reach the same maximum
    assert fitted.optimizer_converged
    np.testing.assert_allclose(list(fitted.model.params().values()), direct, rtol=1e-5)
