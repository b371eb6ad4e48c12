"""BG/NBD and MBG/NBD predictions at the edge of the parameter space agree with mpmath.

When customers never drop out the fit runs r and α (or b) off to very large values. There,
scipy's hyp2f1 of the transformed decay returns NaN, which used to read as "no growth": every
customer was expected to buy nothing and worth nothing.
"""

import mpmath
import numpy as np
import pytest

from ecoute.analytics.btyd import BgNbd, MbgNbd

EDGE_PARAMETERS = [
    (1e6, 2e6, 0.8, 2.4),
    (1e8, 1e8, 0.8, 2.4),
    (1e8, 1e8, 3.0, 1e7),
    (1e6, 1e5, 0.5, 5.0),
    (5e4, 1e3, 1.5, 30.0),
    (250.0, 40.0, 0.3, 1e5),
]
HISTORIES = [(0.0, 0.0, 39.0), (1.0, 10.0, 39.0), (5.0, 30.0, 39.0), (50.0, 38.0, 39.0), (3.0, 2.0, 2.5)]
HORIZON = 52
DISCOUNT_RATE = 0.01


def exact_expected_purchases(model: BgNbd, periods: float, x: float, t_x: float, age: float) -> mpmath.mpf:
    """The paper's formulas, untransformed, at 50 significant digits."""
    with mpmath.workdps(50):
        r, alpha, a, b, k = (mpmath.mpf(v) for v in (model.r, model.alpha, model.a, model.b, model._shift))
        x_, t_x_, age_, t = (mpmath.mpf(v) for v in (x, t_x, age, periods))
        p_alive = mpmath.mpf(1)
        if x > 0 or k > 0:
            p_alive = 1 / (1 + a / (b + x_ + k - 1) * ((alpha + age_) / (alpha + t_x_)) ** (r + x_))
        z = t / (alpha + age_ + t)
        decay = (1 - z) ** (r + x_) * mpmath.hyp2f1(r + x_, b + x_ + k, a + b + x_ + k - 1, z)
        return p_alive * (a + b + x_ + k - 1) / (a - 1) * (1 - decay)


def exact_discounted_purchases(model: BgNbd, x: float, t_x: float, age: float) -> mpmath.mpf:
    with mpmath.workdps(50):
        cumulative = [exact_expected_purchases(model, step, x, t_x, age) for step in range(HORIZON + 1)]
        return mpmath.fsum(
            (cumulative[step] - cumulative[step - 1]) / (1 + mpmath.mpf(DISCOUNT_RATE)) ** step
            for step in range(1, HORIZON + 1)
        )


@pytest.mark.parametrize("model_class", [BgNbd, MbgNbd])
@pytest.mark.parametrize(
    "params", EDGE_PARAMETERS, ids=[f"r={p[0]:g},alpha={p[1]:g},b={p[3]:g}" for p in EDGE_PARAMETERS]
)
def test_expected_purchases_and_value_at_the_edge_agree_with_mpmath(
    model_class: type[BgNbd], params: tuple[float, float, float, float]
) -> None:
    # given a fit at the edge of the parameter space and customers of every kind
    model = model_class(*params)
    x, t_x, age = (np.array(column) for column in zip(*HISTORIES, strict=True))
    # when they are scored over a year of weeks
    forecast = model.forecast(HORIZON, DISCOUNT_RATE, x, t_x, age)
    # then expected purchases and discounted purchases (CLV per unit of spend) are finite and
    # those of a 50-digit evaluation to 1e-6
    for index, history in enumerate(HISTORIES):
        expected = float(exact_expected_purchases(model, HORIZON, *history))
        discounted = float(exact_discounted_purchases(model, *history))
        assert forecast.expected_purchases[index] == pytest.approx(expected, rel=1e-6, abs=1e-300)
        assert forecast.discounted_purchases[index] == pytest.approx(discounted, rel=1e-6, abs=1e-300)
        assert model.expected_purchases(7.5, *history)[0] == pytest.approx(
            float(exact_expected_purchases(model, 7.5, *history)), rel=1e-6, abs=1e-300
        )


def test_customers_who_never_drop_out_are_expected_to_keep_buying() -> None:
    # given a fit where nobody drops out: one purchase a week, for ever
    model = BgNbd(r=1e8, alpha=1e8, a=3.0, b=1e7)
    # when a regular weekly buyer is scored over 52 weeks
    expected = model.expected_purchases(52.0, 38.0, 38.0, 39.0)[0]
    # then about 52 purchases are expected, not 0
    assert expected == pytest.approx(52.0, rel=1e-3)
