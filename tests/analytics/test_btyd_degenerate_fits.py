"""Fits the data cannot support are said to be degenerate, never "converged"."""

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from ecoute.analytics.btyd import (
    FittedModel,
    Histories,
    compress_histories,
    fit_bgnbd,
    fit_mbgnbd,
    fit_pareto_nbd,
)
from tests.analytics.btyd_data import cdnow_histories
from tests.analytics.test_btyd_command import run_btyd

FITTERS: list[Callable[[Histories], FittedModel]] = [fit_bgnbd, fit_mbgnbd, fit_pareto_nbd]
fitter_ids = ["bgnbd", "mbgnbd", "pareto"]


def everyone_bought_once() -> Histories:
    rng = np.random.default_rng(1)
    return compress_histories(np.zeros(500), np.zeros(500), rng.uniform(1, 40, 500))


def a_single_customer() -> Histories:
    return compress_histories([3.0], [20.0], [30.0])


def ten_customers() -> Histories:
    rng = np.random.default_rng(2)
    age = rng.uniform(10, 40, 10)
    frequency = rng.integers(0, 5, 10).astype(float)
    return compress_histories(frequency, np.where(frequency > 0, age * rng.uniform(0.3, 1, 10), 0.0), age)


def nobody_drops_out() -> Histories:
    # a purchase a week for everyone, every customer still buying at the end
    rng = np.random.default_rng(3)
    age = rng.uniform(5, 40, 2000)
    frequency = rng.poisson(age).astype(float)
    recency = np.where(frequency > 0, np.clip(age - rng.exponential(1.0, 2000), 0, age), 0.0)
    return compress_histories(frequency, recency, age)


@pytest.mark.parametrize("fit", FITTERS, ids=fitter_ids)
@pytest.mark.parametrize(
    ("histories", "code"),
    [
        (everyone_bought_once, "no_repeat_purchases"),
        (a_single_customer, "too_few_customers"),
        (ten_customers, "too_few_customers"),
        (nobody_drops_out, "no_dropout"),
    ],
    ids=["everyone-bought-once", "single-customer", "ten-customers", "no-dropout"],
)
def test_unidentified_fits_are_degenerate_and_not_converged(
    fit: Callable[[Histories], FittedModel], histories: Callable[[], Histories], code: str
) -> None:
    # given data that cannot identify the model
    # when it is fitted
    fitted = fit(histories())
    # then the fit says why, is degenerate, and is not reported as converged
    assert code in [warning.code for warning in fitted.warnings]
    assert fitted.degenerate
    assert not fitted.converged


@pytest.mark.parametrize("fit", FITTERS, ids=fitter_ids)
def test_a_sound_fit_has_no_warning(fit: Callable[[Histories], FittedModel]) -> None:
    fitted = fit(cdnow_histories())
    assert fitted.warnings == ()
    assert fitted.converged


def test_a_small_sample_is_fitted_but_flagged_as_too_small_to_trust() -> None:
    # given 150 CDNOW-like customers
    histories = cdnow_histories()
    keep = np.cumsum(histories.weight) <= 150
    small = Histories(
        histories.frequency[keep], histories.recency[keep], histories.age[keep], histories.weight[keep]
    )
    # when BG/NBD is fitted
    fitted = fit_bgnbd(small)
    # then it warns that the sample is small
    assert "small_sample" in [warning.code for warning in fitted.warnings]


def test_command_says_the_fit_is_degenerate_and_what_to_do(tmp_path: Path) -> None:
    # given a file where every customer bought once
    path = tmp_path / "once.csv"
    path.write_text("customer_id,date\n" + "".join(f"{n},2024-01-{n:02d}\n" for n in range(1, 29)))
    # when the command runs, as JSON and as a table
    report = json.loads(run_btyd(str(path), "--calibration-end=2024-06-30", "--model=bgnbd", "--json"))
    text = run_btyd(str(path), "--calibration-end=2024-06-30", "--model=bgnbd")
    # then the JSON carries the diagnosis and the screen says it with the remedy
    fit = report["models"]["bgnbd"]
    assert fit["converged"] is False
    assert fit["degenerate"] is True
    assert {warning["code"] for warning in fit["warnings"]} == {"no_repeat_purchases", "too_few_customers"}
    assert "longer calibration period" in fit["warnings"][0]["message"]
    assert "Warning (bgnbd): No customer bought again" in text
