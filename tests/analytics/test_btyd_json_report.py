"""The JSON report says what was scored, how, and over which period; the README documents it."""

import json

import pytest

from tests.analytics.btyd_data import CDNOW
from tests.analytics.test_btyd_command import run_btyd


def test_model_all_scores_with_the_lowest_aic_and_says_so() -> None:
    # when every model is fitted on CDNOW
    report = json.loads(run_btyd(str(CDNOW), "--calibration-end=1997-09-30", "--json"))
    text = run_btyd(str(CDNOW), "--calibration-end=1997-09-30")
    # then customers are scored with the model of lowest AIC (MBG/NBD on CDNOW), and that is said
    aics = {name: fit["aic"] for name, fit in report["models"].items()}
    assert report["scored_model"] == min(aics, key=aics.__getitem__) == "mbgnbd"
    assert report["scored_model_chosen_by"] == "lowest_aic"
    assert "Customers are scored with mbgnbd, the model of lowest AIC." in text


def test_report_carries_its_settings_and_format_version() -> None:
    report = json.loads(
        run_btyd(
            str(CDNOW),
            "--calibration-end=1997-09-30",
            "--holdout-end=1998-06-30",
            "--model=bgnbd",
            "--period-days=7",
            "--horizon=39",
            "--discount-rate=0.002",
            "--json",
        )
    )
    assert report["format_version"] == 2
    assert report["scored_model"] == "bgnbd"
    assert report["scored_model_chosen_by"] == "request"
    assert (report["calibration_end"], report["holdout_end"], report["start"]) == (
        "1997-09-30",
        "1998-06-30",
        None,
    )
    assert (report["period_days"], report["horizon"], report["discount_rate"]) == (7.0, 39, 0.002)


def test_holdout_report_tracks_cumulative_repeat_purchases_week_by_week() -> None:
    # when BG/NBD is scored on CDNOW with a holdout to 1998-06-30
    report = json.loads(
        run_btyd(
            str(CDNOW), "--calibration-end=1997-09-30", "--holdout-end=1998-06-30", "--model=bgnbd", "--json"
        )
    )
    holdout = report["holdout"]
    tracking = holdout["weekly_tracking"]
    # then the per-frequency table is kept, and beside it one point a week from 1997-01-07 to the end
    assert len(holdout["by_calibration_frequency"]) == 8
    assert tracking[0]["week_end"] == "1997-01-07"
    assert tracking[-1]["week_end"] == "1998-06-30"
    assert len(tracking) == 78
    # and the actual curve adds up every repeat purchase: 2,457 in the calibration (the paper's
    # figure), the holdout's after
    at_calibration_end = next(point for point in tracking if point["week_end"] == "1997-09-30")
    assert at_calibration_end["actual"] == 2457
    assert tracking[-1]["actual"] == 2457 + holdout["total_actual"]
    # and both curves only grow, the prediction within 10% of the actual at the end
    for name in ("actual", "predicted"):
        values = [point[name] for point in tracking]
        assert values == sorted(values)
    assert tracking[-1]["predicted"] == pytest.approx(tracking[-1]["actual"], rel=0.1)
