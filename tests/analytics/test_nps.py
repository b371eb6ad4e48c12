"""NPS with its adjusted Wald interval, checked by hand, and the difference between two scores."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecoute.analytics.nps import Level, NpsCounts, level_of, nps, nps_difference, nps_of_scores

counts = st.builds(NpsCounts, st.integers(0, 2000), st.integers(0, 2000), st.integers(0, 2000))


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (0, Level.DETRACTOR),
        (6, Level.DETRACTOR),
        (7, Level.PASSIVE),
        (8, Level.PASSIVE),
        (9, Level.PROMOTER),
        (10, Level.PROMOTER),
    ],
)
def test_the_levels_split_at_six_and_eight(score: int, level: Level) -> None:
    # given an answer / when its level is read / then 0–6 detract, 7–8 are passive, 9–10 promote
    assert level_of(score) is level


@pytest.mark.parametrize("score", [-1, 11])
def test_an_answer_off_the_scale_is_refused(score: int) -> None:
    with pytest.raises(ValueError, match="between 0 and 10"):
        level_of(score)


def test_nps_and_interval_match_the_hand_computation() -> None:
    # given 50 promoters, 30 passives, 20 detractors
    result = nps(NpsCounts(promoters=50, passives=30, detractors=20))
    # then NPS = 50 % − 20 % = 30, and by hand: ñ = 103, p̃ = 50.75/103, d̃ = 20.75/103,
    # Ñ = 0.291262, Var = 0.694175 − 0.291262² = 0.609341, SE = √(Var/103) = 0.076915,
    # so 0.291262 ± 1.959964 × 0.076915 = 0.14051 .. 0.44201
    assert result.n == 100
    assert result.estimate == pytest.approx(30.0)
    assert result.low == pytest.approx(14.051, abs=0.001)
    assert result.high == pytest.approx(44.201, abs=0.001)


def test_nps_of_raw_scores_counts_each_level() -> None:
    # given the scores of ten answers
    result = nps_of_scores([10, 9, 9, 8, 7, 6, 5, 0, 10, 3])
    # then 4 promoters, 2 passives, 4 detractors: NPS 0
    assert (result.promoters, result.passives, result.detractors) == (4, 2, 4)
    assert result.estimate == pytest.approx(0.0)
    assert result.low < 0 < result.high


def test_no_answer_gives_no_score_and_the_whole_range() -> None:
    result = nps(NpsCounts(0, 0, 0))
    assert (result.n, result.estimate, result.low, result.high) == (0, None, -100.0, 100.0)


def test_one_answer_keeps_the_observed_score_inside_its_interval() -> None:
    # given a single promoter, whose adjusted centre (25) is far from the observed 100
    result = nps(NpsCounts(1, 0, 0))
    # then the interval is widened up to the observed score
    assert result.estimate == 100.0
    assert result.high == 100.0
    assert result.low == pytest.approx(25 - 1.959964 * 37.5, abs=0.01)


def test_a_higher_confidence_gives_a_wider_interval() -> None:
    narrow = nps(NpsCounts(40, 40, 20), confidence=0.90)
    wide = nps(NpsCounts(40, 40, 20), confidence=0.99)
    assert wide.low < narrow.low
    assert narrow.high < wide.high


def test_difference_of_two_nps_matches_the_hand_computation() -> None:
    # given this period 50/30/20 and last period 30/30/40
    result = nps_difference(NpsCounts(50, 30, 20), NpsCounts(30, 30, 40))
    # then the change is +40 points; by hand: Ñ₁ = 30/103 = 0.291262, Var₁ = 0.609341;
    # Ñ₂ = (30.75 − 40.75)/103 = −0.097087, Var₂ = 0.694175 − 0.009426 = 0.684749;
    # SE = √((0.609341 + 0.684749)/103) = 0.112088; Z = 0.388350 / 0.112088 = 3.4647
    assert result.estimate == pytest.approx(40.0)
    assert result.low == pytest.approx(100 * (0.388350 - 1.959964 * 0.112088), abs=0.01)
    assert result.high == pytest.approx(100 * (0.388350 + 1.959964 * 0.112088), abs=0.01)
    assert result.p_value == pytest.approx(2 * 0.000265, abs=0.00002)


def test_two_equal_samples_differ_by_nothing_significant() -> None:
    result = nps_difference(NpsCounts(30, 40, 30), NpsCounts(30, 40, 30))
    assert result.estimate == 0.0
    assert result.p_value == pytest.approx(1.0)


def test_difference_with_an_empty_period_is_unknown() -> None:
    result = nps_difference(NpsCounts(3, 1, 1), NpsCounts(0, 0, 0))
    assert (result.estimate, result.p_value, result.low, result.high) == (None, None, -200.0, 200.0)


@given(counts)
def test_nps_stays_within_minus_100_and_100_and_inside_its_interval(sample: NpsCounts) -> None:
    result = nps(sample)
    assert -100.0 <= result.low <= result.high <= 100.0
    if sample.n:
        assert result.estimate is not None
        assert result.low <= result.estimate <= result.high
    else:
        assert result.estimate is None


@given(counts, counts)
def test_difference_lies_inside_its_interval_with_a_p_value_between_0_and_1(
    first: NpsCounts, second: NpsCounts
) -> None:
    result = nps_difference(first, second)
    assert -200.0 <= result.low <= result.high <= 200.0
    if result.estimate is not None:
        assert result.low <= result.estimate <= result.high
        assert result.p_value is not None
        assert 0.0 <= result.p_value <= 1.0
        assert not math.isnan(result.p_value)
