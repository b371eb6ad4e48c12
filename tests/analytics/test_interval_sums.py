"""A segment's total value with its interval: the sum of the customers' bounds, against hand sums."""

import numpy as np
import pytest

from ecoute.analytics.interval_sums import NOTHING, SummedInterval, sum_with_interval, total


def test_the_interval_of_a_sum_adds_the_bounds() -> None:
    # Given three customers' values with their intervals: 10 [8, 13], 20 [15, 30], 5 [4, 7]
    values = np.array([10.0, 20.0, 5.0])
    lows = np.array([8.0, 15.0, 4.0])
    highs = np.array([13.0, 30.0, 7.0])

    # When they are summed
    summed = sum_with_interval(values, lows, highs)

    # Then the total is 35, from 8 + 15 + 4 = 27 to 13 + 30 + 7 = 50
    assert summed == SummedInterval(35.0, 27.0, 50.0, 3, 0)


def test_a_value_without_interval_counts_on_both_sides_and_is_counted() -> None:
    # Given a value of 100 whose fit gave no interval, beside 10 [8, 13], and a customer with no value
    summed = sum_with_interval(
        np.array([10.0, 100.0, np.nan]), np.array([8.0, np.nan, np.nan]), np.array([13.0, np.nan, np.nan])
    )
    # Then 110 from 108 to 113, two values of which one without interval
    assert summed == SummedInterval(110.0, 108.0, 113.0, 2, 1)


def test_the_sum_of_bounds_is_wider_than_assuming_independence() -> None:
    # Given a hundred customers each worth 10 with the interval [5, 20] (×/÷ 2 on the log scale)
    summed = sum_with_interval(np.full(100, 10.0), np.full(100, 5.0), np.full(100, 20.0))
    # Then the total 1 000 goes from 500 to 2 000, ten times the half-width of √Σσ² (50 and 100)
    assert (summed.low, summed.estimate, summed.high) == (500.0, 1000.0, 2000.0)
    independent_low = summed.estimate - np.sqrt(100 * 5.0**2)
    assert summed.low < independent_low


def test_disjoint_groups_add_up_to_the_whole() -> None:
    # Given two groups, when their sums are added, then the whole has their sums and their counts
    first = SummedInterval(35.0, 27.0, 50.0, 3, 0)
    second = SummedInterval(110.0, 108.0, 113.0, 2, 1)
    assert total([first, second]) == SummedInterval(145.0, 135.0, 163.0, 5, 1)
    assert total([]) == NOTHING


def test_an_interval_that_leaves_out_its_value_is_refused() -> None:
    with pytest.raises(ValueError, match="contain its value"):
        sum_with_interval(np.array([10.0]), np.array([11.0]), np.array([12.0]))
    with pytest.raises(ValueError, match="one entry per customer"):
        sum_with_interval(np.array([10.0, 1.0]), np.array([9.0]), np.array([12.0]))
