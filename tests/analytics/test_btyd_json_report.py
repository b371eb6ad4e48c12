"""The JSON report says what was scored, how, and over which period; the README documents it."""

import json

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
