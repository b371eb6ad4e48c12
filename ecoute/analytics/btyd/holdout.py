"""Calibration/holdout validation: predicted against actual purchases in the holdout period.

Customers are grouped by their number of repeat purchases in the calibration period (0, 1, …,
7 and 7+ as in figure 4 of the BG/NBD paper); for each group the mean number of purchases the
model expects in the holdout period is set against the mean observed.
"""

from dataclasses import dataclass
from html import escape

import numpy as np
import numpy.typing as npt

from ecoute.analytics.btyd.model import PurchaseModel

type FloatArray = npt.NDArray[np.float64]

LAST_BIN = 7


@dataclass(frozen=True)
class HoldoutComparison:
    holdout_periods: float
    labels: list[str]
    """'0', '1', …, '7+'."""
    customers: list[int]
    actual: list[float]
    predicted: list[float]
    total_actual: float
    total_predicted: float

    def as_dict(self) -> dict[str, object]:
        return {
            "holdout_periods": self.holdout_periods,
            "total_actual": self.total_actual,
            "total_predicted": self.total_predicted,
            "by_calibration_frequency": [
                {"frequency": label, "customers": count, "actual": actual, "predicted": predicted}
                for label, count, actual, predicted in zip(
                    self.labels, self.customers, self.actual, self.predicted, strict=True
                )
            ],
        }


def compare_holdout(
    model: PurchaseModel,
    *,
    frequency: FloatArray,
    recency: FloatArray,
    age: FloatArray,
    holdout_frequency: FloatArray,
    holdout_periods: float,
) -> HoldoutComparison:
    """Mean predicted and actual holdout purchases per calibration frequency, 0 to 7+."""
    predicted = model.expected_purchases(holdout_periods, frequency, recency, age)
    group = np.minimum(frequency, LAST_BIN).astype(np.int64)
    counts = np.bincount(group, minlength=LAST_BIN + 1)
    sum_actual = np.bincount(group, weights=holdout_frequency, minlength=LAST_BIN + 1)
    sum_predicted = np.bincount(group, weights=predicted, minlength=LAST_BIN + 1)
    shown = np.maximum(counts, 1)
    return HoldoutComparison(
        holdout_periods=holdout_periods,
        labels=[str(k) for k in range(LAST_BIN)] + [f"{LAST_BIN}+"],
        customers=[int(c) for c in counts],
        actual=[float(v) for v in sum_actual / shown],
        predicted=[float(v) for v in sum_predicted / shown],
        total_actual=float(holdout_frequency.sum()),
        total_predicted=float(predicted.sum()),
    )


@dataclass(frozen=True)
class ChartLabels:
    title: str
    x_axis: str
    y_axis: str
    actual: str
    predicted: str


_WIDTH, _HEIGHT = 640, 400
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 24, 48, 56
_ACTUAL_COLOUR, _PREDICTED_COLOUR = "#1f4e79", "#c0504d"


def holdout_chart_svg(comparison: HoldoutComparison, labels: ChartLabels) -> str:
    """A line chart of actual and predicted holdout purchases per calibration frequency."""
    peak = max([*comparison.actual, *comparison.predicted, 1e-9])
    top = _nice_ceiling(peak)
    plot_width = _WIDTH - _LEFT - _RIGHT
    plot_height = _HEIGHT - _TOP - _BOTTOM
    bins = len(comparison.labels)

    def x_at(index: int) -> float:
        return _LEFT + plot_width * (index + 0.5) / bins

    def y_at(value: float) -> float:
        return _TOP + plot_height * (1.0 - value / top)

    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{_HEIGHT}" '
            f'viewBox="0 0 {_WIDTH} {_HEIGHT}" font-family="sans-serif" font-size="12">'
        ),
        f'<rect width="{_WIDTH}" height="{_HEIGHT}" fill="white"/>',
        f'<text x="{_WIDTH / 2}" y="24" text-anchor="middle" font-size="15">{escape(labels.title)}</text>',
    ]
    for step in range(5):
        value = top * step / 4
        y = y_at(value)
        parts.append(f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{_WIDTH - _RIGHT}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{_LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">{value:g}</text>')
    for index, label in enumerate(comparison.labels):
        parts.append(
            f'<text x="{x_at(index):.1f}" y="{_HEIGHT - _BOTTOM + 18}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    parts.append(
        f'<text x="{_LEFT + plot_width / 2}" y="{_HEIGHT - 14}" text-anchor="middle">'
        f"{escape(labels.x_axis)}</text>"
    )
    parts.append(
        f'<text transform="translate(18 {_TOP + plot_height / 2}) rotate(-90)" '
        f'text-anchor="middle">{escape(labels.y_axis)}</text>'
    )
    for values, colour, dash in (
        (comparison.actual, _ACTUAL_COLOUR, ""),
        (comparison.predicted, _PREDICTED_COLOUR, ' stroke-dasharray="6 4"'),
    ):
        points = " ".join(f"{x_at(i):.1f},{y_at(v):.1f}" for i, v in enumerate(values))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
        parts.extend(
            f'<circle cx="{x_at(i):.1f}" cy="{y_at(v):.1f}" r="3" fill="{colour}"/>'
            for i, v in enumerate(values)
        )
    for row, (text, colour, dash) in enumerate(
        (
            (labels.actual, _ACTUAL_COLOUR, ""),
            (labels.predicted, _PREDICTED_COLOUR, ' stroke-dasharray="6 4"'),
        )
    ):
        y = _TOP + 8 + 18 * row
        parts.append(
            f'<line x1="{_LEFT + 12}" y1="{y}" x2="{_LEFT + 36}" y2="{y}" stroke="{colour}" '
            f'stroke-width="2"{dash}/>'
        )
        parts.append(f'<text x="{_LEFT + 42}" y="{y + 4}">{escape(text)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k at or above the value, for round axis ticks."""
    power = 10.0 ** np.floor(np.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if step * power >= value:
            return float(step * power)
    return float(10.0 * power)  # pragma: no cover
