"""Retention figures as the reader writes them: rates with their interval and n, period names."""

from dataclasses import dataclass
from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _

from ecoute.analytics.proportions import ProportionEstimate
from ecoute.lib.quantities import grouped
from ecoute.retention.churn import ChurnPeriod

# Under this many customers a rate is shown greyed (DESIGN.md: every figure carries n).
MINIMUM_N = 30
STEADY_POINTS = 0.1


def percent(value: float, decimals: int = 1) -> str:
    return _("%(value)s%%") % {"value": grouped(value, decimals)}


@dataclass(frozen=True)
class Rate:
    text: str
    interval: str
    n: str
    greyed: bool


def rate(estimate: ProportionEstimate) -> Rate:
    """A share with its 95 % interval and its n, "4,2 %", "3,1 – 5,6 %", "n = 1 234"."""
    n = _("n = %(n)s") % {"n": grouped(estimate.n)}
    if estimate.estimate is None:
        return Rate("—", "", n, True)
    interval = _("%(low)s–%(high)s%%") % {
        "low": grouped(estimate.low, 1),
        "high": grouped(estimate.high, 1),
    }
    return Rate(percent(estimate.estimate), interval, n, estimate.n < MINIMUM_N)


def month_name(month: date) -> str:
    # "déc. 2024", "août 2025": the abbreviations each language writes
    return formats.date_format(month, "N Y")


def quarter_name(start: date) -> str:
    return _("Q%(quarter)s %(year)s") % {"quarter": (start.month - 1) // 3 + 1, "year": start.year}


def trend_sentence(slope_points: float | None, per_quarter: bool) -> str:
    """How churn moves, in points per period, from the least-squares slope over the periods shown."""
    if slope_points is None:
        return _("Too few periods with active customers to tell a trend.")
    points = grouped(abs(slope_points), 1)
    if abs(slope_points) < STEADY_POINTS:
        return _("Churn is steady over these periods.")
    if per_quarter:
        if slope_points > 0:
            return _("Churn is rising: +%(points)s pp a quarter.") % {"points": points}
        return _("Churn is falling: −%(points)s pp a quarter.") % {"points": points}
    if slope_points > 0:
        return _("Churn is rising: +%(points)s pp a month.") % {"points": points}
    return _("Churn is falling: −%(points)s pp a month.") % {"points": points}


@dataclass(frozen=True)
class ChurnRow:
    name: str
    active: str
    lost: str
    rate: Rate


def churn_rows(periods: list[ChurnPeriod], per_quarter: bool) -> list[ChurnRow]:
    name = quarter_name if per_quarter else month_name
    if not any(period.active_at_start for period in periods):
        return []  # nothing to say yet: no row of dashes
    return [
        ChurnRow(name(period.start), grouped(period.active_at_start), grouped(period.lost), rate(period.rate))
        for period in periods
    ]
