"""Lift of a campaign against its control group, its interval, its p-value, the power before launch and
the revenue attributed, each against a computation done by hand; the control split by hash."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import binom

from ecoute.analytics.lift import (
    DEFAULT_CONTROL_SHARE,
    in_control,
    minimum_detectable_lift,
    revenue_difference,
    split_draw,
    two_proportion_lift,
)


def test_lift_interval_and_p_value_match_the_hand_computation() -> None:
    # Given 150 of 1 000 treated customers and 15 of 150 held-out customers who came back
    lift = two_proportion_lift(150, 1000, 15, 150)
    # Then lift = 0.15 − 0.10 = 0.05
    assert lift.lift == pytest.approx(0.05)
    # And its interval is 0.05 ± 1.959964 · √(0.15·0.85/1000 + 0.10·0.90/150) = 0.05 ± 1.959964 · 0.0269722
    assert lift.low == pytest.approx(0.05 - 1.959964 * 0.0269722, abs=1e-6)
    assert lift.high == pytest.approx(0.05 + 1.959964 * 0.0269722, abs=1e-6)
    # And the pooled z = 0.05 / √(0.1434783 · 0.8565217 · (1/1000 + 1/150)) = 1.628938, p = 0.10333
    assert lift.z == pytest.approx(1.628938, abs=1e-5)
    assert lift.p_value == pytest.approx(0.10333, abs=1e-4)
    assert not lift.too_small


def test_no_difference_when_nobody_came_back_in_either_group() -> None:
    lift = two_proportion_lift(0, 200, 0, 40)
    assert (lift.lift, lift.low, lift.high, lift.p_value) == (0, 0, 0, 1.0)


def test_an_empty_group_gives_no_lift_and_says_too_small() -> None:
    lift = two_proportion_lift(5, 20, 0, 0)
    assert lift.lift is None
    assert lift.p_value is None
    assert lift.too_small


def test_counts_outside_their_group_are_refused() -> None:
    with pytest.raises(ValueError, match="between 0 and n"):
        two_proportion_lift(11, 10, 0, 5)


def test_minimum_detectable_lift_matches_the_hand_computation() -> None:
    # Given 850 treated and 150 held out, 10 % coming back anyway
    power = minimum_detectable_lift(850, 150, 0.10)
    # Then MDL = (1.959964 + 0.841621) · √(0.1 · 0.9 · (1/850 + 1/150)) = 2.801585 · 0.0265684
    assert power.minimum_detectable_lift == pytest.approx(2.801585 * 0.0265684, abs=1e-5)
    assert power.minimum_detectable_lift == pytest.approx(0.07443, abs=1e-4)
    assert not power.too_small


def test_a_small_campaign_is_flagged_too_small_to_tell() -> None:
    # 85 treated and 15 held out: fewer than 30 in the control group, and an MDL of about 22 points
    power = minimum_detectable_lift(85, 15, 0.10)
    assert power.too_small
    assert power.minimum_detectable_lift is not None
    assert power.minimum_detectable_lift > 0.2
    # 2 000 and 300 but a detectable lift of 5 points only: enough
    assert not minimum_detectable_lift(2000, 300, 0.10).too_small


def test_revenue_attributed_uses_welchs_interval() -> None:
    # Given revenue per customer 0, 0, 100, 50 treated and 0, 20, 10 held out
    revenue = revenue_difference([0, 0, 100, 50], [0, 20, 10])
    # Then the means are 37.5 and 10, the difference 27.5, attributed 27.5 × 4 = 110
    assert (revenue.treatment_mean, revenue.control_mean, revenue.difference) == (37.5, 10.0, 27.5)
    assert revenue.attributed == pytest.approx(110.0)
    # Variances of the means by hand: s²t/nt = 2291.667/4 = 572.9167, s²c/nc = 100/3 = 33.3333;
    # se = √606.25 = 24.6221; Welch's df = 606.25² / (572.9167²/3 + 33.3333²/2) = 3.34228
    from scipy.stats import t

    half = float(t.ppf(0.975, 3.34228)) * 24.6221
    assert revenue.low == pytest.approx(27.5 - half, abs=1e-3)
    assert revenue.high == pytest.approx(27.5 + half, abs=1e-3)
    assert revenue.attributed_low == pytest.approx((27.5 - half) * 4, abs=1e-2)


def test_the_split_is_unbiased_over_a_hundred_thousand_ids() -> None:
    # Given 100 000 customer ids and the default 15 % share
    held_out = sum(in_control("campagne-2026", customer_id) for customer_id in range(1, 100_001))
    # Then the control group's size lies within the binomial's 99.9 % bounds
    low, high = binom.interval(0.999, 100_000, DEFAULT_CONTROL_SHARE)
    assert low <= held_out <= high


def test_the_split_draws_are_uniform_by_decile() -> None:
    draws = [split_draw("sel", customer_id) for customer_id in range(50_000)]
    for decile in range(10):
        inside = sum(decile / 10 <= d < (decile + 1) / 10 for d in draws)
        low, high = binom.interval(0.999, 50_000, 0.1)
        assert low <= inside <= high


def test_two_campaigns_split_the_same_customers_independently() -> None:
    ids = range(20_000)
    both = sum(in_control("a", i) and in_control("b", i) for i in ids)
    low, high = binom.interval(0.999, 20_000, DEFAULT_CONTROL_SHARE**2)
    assert low <= both <= high


@given(st.lists(st.integers(min_value=1, max_value=10**12), unique=True, max_size=200), st.randoms())
def test_the_split_depends_on_the_customer_not_on_the_order(ids: list[int], shuffler: object) -> None:
    first = {i: in_control("salt", i) for i in ids}
    shuffled = list(ids)
    shuffler.shuffle(shuffled)  # type: ignore[attr-defined]
    assert {i: in_control("salt", i) for i in shuffled} == first


@given(
    st.integers(min_value=1, max_value=5000),
    st.integers(min_value=1, max_value=5000),
    st.data(),
)
def test_the_interval_contains_the_lift_and_the_p_value_is_a_probability(
    treatment_n: int, control_n: int, data: st.DataObject
) -> None:
    xt = data.draw(st.integers(min_value=0, max_value=treatment_n))
    xc = data.draw(st.integers(min_value=0, max_value=control_n))
    lift = two_proportion_lift(xt, treatment_n, xc, control_n)
    assert lift.low is not None
    assert lift.high is not None
    assert lift.lift is not None
    assert lift.low <= lift.lift <= lift.high
    assert lift.p_value is not None
    assert 0 <= lift.p_value <= 1
    assert -1 <= lift.lift <= 1


@given(st.integers(min_value=1, max_value=10_000), st.integers(min_value=1, max_value=10_000))
def test_more_customers_never_make_the_detectable_lift_larger(treatment_n: int, control_n: int) -> None:
    smaller = minimum_detectable_lift(treatment_n, control_n, 0.1).minimum_detectable_lift
    larger = minimum_detectable_lift(treatment_n + 100, control_n + 100, 0.1).minimum_detectable_lift
    assert smaller is not None
    assert larger is not None
    assert larger <= smaller or math.isclose(larger, smaller)
