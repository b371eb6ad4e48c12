"""Wilson intervals (Newcombe's published examples), CSAT top-2-box, and means with a t interval."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecoute.analytics.means import mean_with_interval
from ecoute.analytics.proportions import csat, wilson


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    # Newcombe (1998), Statistics in Medicine 17:857, table II, method 3 (Wilson score)
    [(81, 263, 25.53, 36.62), (15, 148, 6.24, 16.05), (0, 20, 0.0, 16.11), (1, 29, 0.61, 17.18)],
)
def test_wilson_interval_matches_newcombes_published_examples(
    successes: int, n: int, low: float, high: float
) -> None:
    result = wilson(successes, n)
    assert result.low == pytest.approx(low, abs=0.01)
    assert result.high == pytest.approx(high, abs=0.01)


def test_no_answer_gives_no_share_and_the_whole_range() -> None:
    result = wilson(0, 0)
    assert (result.n, result.estimate, result.low, result.high) == (0, None, 0.0, 100.0)


def test_csat_counts_the_top_two_boxes() -> None:
    # given ten answers on 1–5, six of them 4 or 5
    result = csat([5, 4, 4, 5, 5, 4, 3, 2, 1, 3])
    # then CSAT is 60 % with the Wilson interval of 6 out of 10
    assert result.estimate == pytest.approx(60.0)
    assert (result.low, result.high) == (wilson(6, 10).low, wilson(6, 10).high)


def test_csat_refuses_an_answer_off_the_scale() -> None:
    with pytest.raises(ValueError, match="between 1 and 5"):
        csat([5, 6])


def test_mean_with_t_interval_matches_the_hand_computation() -> None:
    # given 1..5: mean 3, s = √2.5 = 1.581139, SE = 0.707107, t(0.975, 4) = 2.776445
    result = mean_with_interval([1, 2, 3, 4, 5])
    # then 3 ± 1.963243
    assert result.estimate == pytest.approx(3.0)
    assert result.low == pytest.approx(1.036757, abs=1e-5)
    assert result.high == pytest.approx(4.963243, abs=1e-5)


def test_a_mean_of_nothing_or_of_one_value_has_no_interval() -> None:
    assert mean_with_interval([]).estimate is None
    one = mean_with_interval([6])
    assert (one.n, one.estimate, one.low, one.high) == (1, 6.0, None, None)


@given(st.integers(0, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_interval_stays_within_0_and_100_around_the_share(sample: tuple[int, int]) -> None:
    successes, n = sample
    result = wilson(successes, n)
    assert 0.0 <= result.low <= result.high <= 100.0
    if n:
        assert result.estimate is not None
        assert result.low <= result.estimate <= result.high


@given(st.lists(st.integers(1, 7), max_size=300))
def test_a_mean_effort_lies_inside_its_interval_and_on_the_scale(answers: list[int]) -> None:
    result = mean_with_interval(answers)
    if answers:
        assert result.estimate is not None
        assert 1.0 <= result.estimate <= 7.0
    if len(answers) >= 2:
        assert result.low is not None
        assert result.high is not None
        assert result.estimate is not None
        assert result.low <= result.estimate <= result.high
