"""Calibration/holdout validation on CDNOW: data per calibration frequency, and its chart."""

import xml.etree.ElementTree as ET

import pytest

from ecoute.analytics.btyd import fit_bgnbd
from ecoute.analytics.btyd.holdout import (
    ChartLabels,
    HoldoutComparison,
    compare_holdout,
    holdout_chart_svg,
)
from tests.analytics.btyd_data import cdnow_histories, cdnow_summary

LABELS = ChartLabels("Holdout", "Repeat purchases", "Mean purchases", "Actual", "Predicted")


def cdnow_comparison() -> HoldoutComparison:
    summary = cdnow_summary()
    assert summary.holdout_frequency is not None
    assert summary.holdout_periods is not None
    model = fit_bgnbd(cdnow_histories()).model
    return compare_holdout(
        model,
        frequency=summary.frequency,
        recency=summary.recency,
        age=summary.age,
        holdout_frequency=summary.holdout_frequency,
        holdout_periods=summary.holdout_periods,
    )


def test_holdout_comparison_groups_customers_by_calibration_frequency_up_to_7_plus() -> None:
    # given BG/NBD fitted on the calibration period and a 39-week holdout
    comparison = cdnow_comparison()
    # then customers are grouped 0..7+ as in the paper's figure, all of them
    assert comparison.labels == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert sum(comparison.customers) == 2357
    assert comparison.customers[0] == 1411
    assert comparison.holdout_periods == pytest.approx(39.0)
    # and the model tracks the actual means: they rise together with calibration frequency
    assert comparison.predicted == sorted(comparison.predicted)
    for actual, predicted in zip(comparison.actual, comparison.predicted, strict=True):
        assert predicted == pytest.approx(actual, rel=0.35)


def test_holdout_chart_is_well_formed_svg_with_both_series() -> None:
    svg = holdout_chart_svg(cdnow_comparison(), LABELS)
    root = ET.fromstring(svg)  # noqa: S314 - the SVG this test just wrote
    namespace = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{namespace}svg"
    assert len(root.findall(f"{namespace}polyline")) == 2
    texts = [element.text for element in root.iter(f"{namespace}text")]
    assert "7+" in texts
    assert "Predicted" in texts
