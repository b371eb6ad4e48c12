"""From transactions to frequency, recency, age and monetary value, as in the BG/NBD paper."""

import numpy as np
import pytest

from ecoute.analytics.btyd import summarise_transactions
from ecoute.analytics.btyd.histories import distinct_histories
from ecoute.analytics.btyd.summary import NoCustomerError


def summarise(rows: list[tuple[int, int, float]], **options: int) -> dict[str, np.ndarray]:
    customer = np.array([row[0] for row in rows], dtype=np.int64)
    day = np.array([row[1] for row in rows], dtype=np.int64)
    amount = np.array([row[2] for row in rows], dtype=np.float64)
    summary = summarise_transactions(customer, day, amount, **options)
    return {
        "customer": summary.customer,
        "frequency": summary.frequency,
        "recency": summary.recency,
        "age": summary.age,
        "monetary": summary.monetary_value,
        "holdout": summary.holdout_frequency if summary.holdout_frequency is not None else np.empty(0),
    }


def test_same_day_purchases_count_once_and_their_amounts_add_up() -> None:
    # given a customer who bought on day 0, twice on day 7 and on day 14
    rows = [(0, 0, 10.0), (0, 7, 5.0), (0, 7, 15.0), (0, 14, 40.0)]
    # when summarised with the calibration ending on day 28, in weeks
    result = summarise(rows, calibration_end=28)
    # then two repeat purchase days, the last after 2 weeks, observed for 4 weeks
    assert result["frequency"].tolist() == [2.0]
    assert result["recency"].tolist() == [2.0]
    assert result["age"].tolist() == [4.0]
    # and the monetary value is the mean of the repeat days, first purchase excluded: (20 + 40) / 2
    assert result["monetary"].tolist() == [30.0]


def test_customers_arriving_after_the_calibration_end_are_left_out() -> None:
    rows = [(0, 0, 10.0), (1, 30, 5.0), (2, 28, 1.0)]
    result = summarise(rows, calibration_end=28)
    assert result["customer"].tolist() == [0, 2]
    assert result["age"].tolist() == [4.0, 0.0]


def test_purchases_after_the_calibration_end_only_count_in_the_holdout() -> None:
    # given purchases before and after the calibration end, and one after the holdout end
    rows = [(0, 0, 10.0), (0, 14, 10.0), (0, 35, 99.0), (0, 42, 99.0), (0, 42, 1.0), (0, 80, 5.0)]
    result = summarise(rows, calibration_end=28, holdout_end=56)
    # then frequency and monetary value use the calibration only
    assert result["frequency"].tolist() == [1.0]
    assert result["monetary"].tolist() == [10.0]
    # and the holdout counts distinct purchase days up to the holdout end
    assert result["holdout"].tolist() == [2.0]


def test_period_length_scales_recency_and_age() -> None:
    result = summarise([(0, 0, 1.0), (0, 10, 1.0)], calibration_end=30, period_days=1)
    assert result["recency"].tolist() == [10.0]
    assert result["age"].tolist() == [30.0]


def test_no_customer_before_the_calibration_end_is_an_error() -> None:
    with pytest.raises(NoCustomerError):
        summarise([(0, 40, 1.0)], calibration_end=28)


def test_unique_histories_carry_the_number_of_customers_sharing_them() -> None:
    customer = np.array([0, 0, 1, 1, 2], dtype=np.int64)
    day = np.array([0, 7, 0, 7, 0], dtype=np.int64)
    summary = summarise_transactions(customer, day, None, calibration_end=14)
    histories = summary.histories()
    assert histories.weight.tolist() == [1.0, 2.0]
    assert histories.frequency.tolist() == [0.0, 1.0]
    assert np.isnan(summary.monetary_value).all()


def test_customer_codes_too_large_for_32_bit_keys_give_the_same_summary() -> None:
    # given the same purchases twice: customers coded 0-2, and coded past 2**31 / 2**9 (a
    # (customer, day) key over a 400-day span no longer fits in 32 bits), with a holdout
    rows = [
        (0, 0, 10.0),
        (0, 14, 5.0),
        (0, 14, 1.0),
        (1, 3, 8.0),
        (1, 390, 2.0),
        (2, 200, 4.0),
        (0, 380, 9.0),
    ]
    large = [(code * 5_000_000 + 4_000_000, day, amount) for code, day, amount in rows]
    # when both are summarised
    small_result = summarise(rows, calibration_end=360, holdout_end=400)
    large_result = summarise(large, calibration_end=360, holdout_end=400)
    # then every column but the customer codes is the same, and the codes are the large ones
    for column in ("frequency", "recency", "age", "monetary", "holdout"):
        assert large_result[column].tolist() == small_result[column].tolist()
    assert large_result["customer"].tolist() == [4_000_000, 9_000_000, 14_000_000]
    assert small_result["recency"].tolist() == pytest.approx([2.0, 0.0, 0.0])


def test_distinct_histories_in_whole_days_are_those_found_by_value() -> None:
    # given customers whose histories are whole days, many sharing one
    rng = np.random.default_rng(7)
    customer = rng.integers(0, 3_000, 20_000)
    day = rng.integers(0, 300, 20_000)
    summary = summarise_transactions(customer, day, None, calibration_end=250, period_days=7.0)
    # when their distinct histories are found through days and through values
    by_days = summary.distinct_histories()
    by_values = distinct_histories(summary.frequency, summary.recency, summary.age)
    # then both give the same rows, counts and customers' rows
    for column in ("frequency", "recency", "age", "count", "index"):
        assert getattr(by_days, column).tolist() == getattr(by_values, column).tolist()
    assert by_days.rows < summary.customers
