"""DERT: discounted expected residual transactions, infinite horizon, continuous discounting."""

import numpy as np
import pytest
from scipy.special import gammaln, hyperu

from ecoute.analytics.btyd import BgNbd, Histories, MbgNbd, ParetoNbd, PurchaseModel

X = np.array([0.0, 1.0, 2.0, 5.0, 20.0])
T_X = np.array([0.0, 30.0, 10.0, 35.0, 38.5])
AGE = np.full(5, 38.86)


def test_pareto_nbd_dert_is_fader_hardie_lee_closed_form() -> None:
    # given the CDNOW Pareto/NBD and a continuous discount of δ = 0.1 per week
    model = ParetoNbd(r=0.553, alpha=10.578, s=0.606, beta=11.669)
    delta = 0.1
    # when DERT is computed for customers of every kind
    ours = model.dert(float(np.expm1(delta)), X, T_X, AGE)
    # then it is equation (4) of Fader, Hardie & Lee (2005), with Tricomi's Ψ
    r, alpha, s, beta = model.r, model.alpha, model.s, model.beta
    log_likelihood = model.log_likelihood(Histories(X, T_X, AGE, np.ones(5)))
    expected = np.exp(
        r * np.log(alpha)
        + s * np.log(beta)
        + (s - 1) * np.log(delta)
        + gammaln(r + X + 1)
        + np.log(hyperu(s, s, delta * (beta + AGE)))
        - gammaln(r)
        - (r + X + 1) * np.log(alpha + AGE)
        - log_likelihood
    )
    assert ours == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(
    "model",
    [BgNbd(r=0.243, alpha=4.414, a=0.793, b=2.426), MbgNbd(r=0.525, alpha=6.183, a=0.891, b=1.614)],
    ids=["bgnbd", "mbgnbd"],
)
def test_dert_lies_between_the_discrete_sums_discounted_at_either_end_of_each_period(
    model: PurchaseModel,
) -> None:
    # given a discount rate of 1% a period: purchases in period t are discounted by between
    # (1.01)^-t and (1.01)^-(t-1) when discounting is continuous
    rate = 0.01
    horizon = 4000  # (1.01)^-4000: nothing left
    at_end = model.discounted_purchases(horizon, rate, X, T_X, AGE)
    # when DERT is computed
    dert = model.dert(rate, X, T_X, AGE)
    # then it lies between the two discrete sums
    assert np.all(at_end < dert)
    assert np.all(dert < at_end * (1 + rate))
