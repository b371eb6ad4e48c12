"""Per-customer predictions: P(alive), expected purchases and discounted value behave."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecoute.analytics.btyd import BgNbd, GammaGamma, MbgNbd, ParetoNbd, PurchaseModel

MODELS: list[PurchaseModel] = [
    BgNbd(r=0.243, alpha=4.414, a=0.793, b=2.426),
    MbgNbd(r=0.525, alpha=6.183, a=0.891, b=1.614),
    ParetoNbd(r=0.553, alpha=10.578, s=0.606, beta=11.669),
    BgNbd(r=2.0, alpha=0.5, a=3.0, b=0.7),
    ParetoNbd(r=1.2, alpha=0.4, s=2.5, beta=40.0),
    # fits at the edge of the parameter space: nobody drops out, everybody buys at one rate
    BgNbd(r=1e6, alpha=2e6, a=0.8, b=2.4),
    MbgNbd(r=1e8, alpha=1e8, a=3.0, b=1e7),
]
model_ids = [f"{model.name}-{index}" for index, model in enumerate(MODELS)]

histories = st.tuples(
    st.integers(min_value=0, max_value=400),
    st.floats(min_value=0.0, max_value=1.0),
    st.floats(min_value=0.01, max_value=2000.0),
)


@pytest.mark.parametrize("model", MODELS, ids=model_ids)
@settings(max_examples=150, deadline=None)
@given(history=histories)
def test_p_alive_is_a_probability(model: PurchaseModel, history: tuple[int, float, float]) -> None:
    # given any history: x purchases, the last at a fraction of the customer's age
    x, fraction, age = history
    recency = 0.0 if x == 0 else fraction * age
    # when P(alive) is computed
    p_alive = model.p_alive(x, recency, age)
    # then it is a probability, never NaN
    assert np.all((p_alive >= 0.0) & (p_alive <= 1.0))


@pytest.mark.parametrize("model", MODELS, ids=model_ids)
@settings(max_examples=150, deadline=None)
@given(
    x=st.integers(min_value=1, max_value=400),
    age=st.floats(min_value=0.01, max_value=2000.0),
    earlier=st.floats(min_value=0.0, max_value=1.0),
    later=st.floats(min_value=0.0, max_value=1.0),
)
def test_a_more_recent_last_purchase_never_lowers_p_alive(
    model: PurchaseModel, x: int, age: float, earlier: float, later: float
) -> None:
    # given two customers alike but for the date of their last purchase
    first, second = sorted([earlier * age, later * age])
    # when P(alive) is computed for both
    p_first, p_second = model.p_alive([x, x], [first, second], [age, age])
    # then the one who bought more recently is at least as likely to be alive
    assert p_second >= p_first - 1e-12


@pytest.mark.parametrize("model", MODELS, ids=model_ids)
def test_expected_purchases_grow_from_zero_with_the_horizon(model: PurchaseModel) -> None:
    x, t_x, age = np.array([0.0, 3.0, 40.0]), np.array([0.0, 20.0, 35.0]), np.array([30.0] * 3)
    previous = model.expected_purchases(0.0, x, t_x, age)
    assert np.allclose(previous, 0.0)
    for periods in (1.0, 10.0, 52.0, 520.0):
        current = model.expected_purchases(periods, x, t_x, age)
        assert np.all(current > previous)
        previous = current


@pytest.mark.parametrize("model", MODELS, ids=model_ids)
def test_undiscounted_value_is_the_expected_purchases_over_the_horizon(model: PurchaseModel) -> None:
    # given a discount rate of zero
    x, t_x, age = np.array([0.0, 1.0, 7.0]), np.array([0.0, 5.0, 29.0]), np.array([30.0, 30.0, 31.5])
    # then the sum of the purchases expected in each period is those expected over all of them
    discounted = model.discounted_purchases(52, 0.0, x, t_x, age)
    assert discounted == pytest.approx(model.expected_purchases(52.0, x, t_x, age), rel=1e-9)
    # and discounting lowers it
    assert np.all(model.discounted_purchases(52, 0.01, x, t_x, age) < discounted)


@pytest.mark.parametrize("model", MODELS, ids=model_ids)
def test_population_expectation_is_that_of_a_customer_who_just_arrived(model: PurchaseModel) -> None:
    periods = np.array([1.0, 39.0, 78.0])
    population = model.expected_repeat_purchases(periods)
    newcomer = [model.expected_purchases(t, 0.0, 0.0, 0.0)[0] for t in periods]
    assert population == pytest.approx(newcomer, rel=1e-12)
    assert np.all(np.diff(population) > 0)


def test_bgnbd_expected_repeat_purchases_match_the_papers_closed_form() -> None:
    # E[X(t)] = (a+b-1)/(a-1) [1 - (α/(α+t))^r 2F1(r, b; a+b-1; t/(α+t))] without the transformation
    from scipy.special import hyp2f1

    model = BgNbd(r=0.243, alpha=4.414, a=0.793, b=2.426)
    t = 39.0
    expected = (
        (model.a + model.b - 1)
        / (model.a - 1)
        * (
            1
            - (model.alpha / (model.alpha + t)) ** model.r
            * hyp2f1(model.r, model.b, model.a + model.b - 1, t / (model.alpha + t))
        )
    )
    assert model.expected_repeat_purchases(t)[0] == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("model", MODELS, ids=model_ids)
def test_predictions_stay_finite_for_extreme_histories(model: PurchaseModel) -> None:
    x = np.array([0.0, 1.0, 5000.0, 20000.0])
    t_x = np.array([0.0, 1e-6, 9999.0, 5.0])
    age = np.array([1e-6, 1e4, 1e4, 1e4])
    for values in (
        model.p_alive(x, t_x, age),
        model.expected_purchases(52.0, x, t_x, age),
        model.discounted_purchases(52, 0.01, x, t_x, age),
    ):
        assert np.all(np.isfinite(values))


def test_expected_spend_shrinks_a_customers_mean_towards_the_population_mean() -> None:
    spend = GammaGamma(p=6.25, q=3.74, v=15.44)
    population = spend.mean_spend()
    # a customer with no repeat purchase is expected to spend the population mean
    assert spend.expected_spend(0, 0.0)[()] == pytest.approx(population)
    # the more purchases, the closer to the customer's own mean
    own = 100.0
    one, many = spend.expected_spend([1, 50], [own, own])
    assert population < one < many < own


@pytest.mark.parametrize("model", MODELS, ids=model_ids)
def test_forecast_agrees_with_the_separate_predictions(model: PurchaseModel) -> None:
    # given customers sharing some (x, T) pairs but not their recency
    x = np.array([0.0, 2.0, 2.0, 9.0, 2.0])
    t_x = np.array([0.0, 3.0, 10.0, 30.0, 3.0])
    age = np.array([12.0, 12.0, 12.0, 31.0, 20.0])
    # when the one-pass forecast is computed
    forecast = model.forecast(26, 0.02, x, t_x, age)
    # then it gives what each prediction gives on its own
    assert forecast.p_alive == pytest.approx(model.p_alive(x, t_x, age), rel=1e-12)
    assert forecast.expected_purchases == pytest.approx(
        model.expected_purchases(26.0, x, t_x, age), rel=1e-10
    )
    assert forecast.discounted_purchases == pytest.approx(
        model.discounted_purchases(26, 0.02, x, t_x, age), rel=1e-12
    )
