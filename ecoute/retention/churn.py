"""Churn per month and per quarter: customers lost in the period / customers active at its start.

History is rebuilt from purchases alone (the lifetime-model rule of DESIGN.md applies to today's
statuses only, since no past scores exist). A customer is active from a purchase until their lost
window has run out with no purchase; the day after, they are lost. Each customer's activity thus falls
into spells, and one pass over the spells counts, for every period at once, those active at its start
and, among them, those whose spell ended within it.
"""

# ruff: noqa: S608 - the statements are built from our own SQL fragments; values are parameters

from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise

import numpy as np
from django.db import connection

from ecoute.accounts.models import Organization
from ecoute.analytics.proportions import ProportionEstimate, wilson
from ecoute.retention.activity_sql import EPOCH_ORDINAL, purchase_windows, today_number, whole_days
from ecoute.retention.statuses import rules_of


@dataclass(frozen=True)
class ChurnPeriod:
    start: date
    end: date  # the first day after the period
    active_at_start: int
    lost: int
    rate: ProportionEstimate


@dataclass(frozen=True)
class ChurnTrend:
    periods: list[ChurnPeriod]
    slope_points: float | None
    """Change of the churn rate per period, in percentage points (least squares over the periods
    that have customers); None under three such periods."""


def _month_start(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def period_starts(today: date, months_per_period: int, count: int) -> list[date]:
    """The first days of the last `count` complete periods before `today`, and the first day after
    them: months when `months_per_period` is 1, calendar quarters when 3."""
    month = today.month - (today.month - 1) % months_per_period
    current = _month_start(today.year, month)
    return [
        _month_start(current.year, current.month - months_per_period * back) for back in range(count, -1, -1)
    ]


def churn_by_period(organization: Organization, boundaries: list[date], now: datetime) -> ChurnTrend:
    """Churn of each period between consecutive `boundaries` (first days), as of `now`."""
    windows = purchase_windows(organization.pk, rules_of(organization), now)
    lapse = whole_days("p.day + w.lost_after") + " + 1"
    days = [boundary.toordinal() - EPOCH_ORDINAL for boundary in boundaries]
    columns: list[str] = []
    params: list[int] = []
    for first_day, after_day in pairwise(days):
        columns.append("SUM(CASE WHEN start_day < %s AND lapse_day >= %s THEN 1 ELSE 0 END)")
        columns.append(
            "SUM(CASE WHEN start_day < %s AND lapse_day >= %s AND lapse_day < %s THEN 1 ELSE 0 END)"
        )
        params += [first_day, first_day, first_day, first_day, after_day]
    sql = f"""{windows.sql},
    marked AS (
        SELECT p.customer_id, p.day,
            CASE WHEN p.prev_gap IS NULL OR p.prev_gap > w.lost_after THEN p.day END AS starts_spell,
            CASE WHEN p.next_gap IS NULL OR p.next_gap > w.lost_after THEN {lapse} END AS lapse_day
        FROM purchase_days p JOIN windows w ON w.customer_id = p.customer_id
    ),
    spells AS (
        SELECT lapse_day, MAX(starts_spell) OVER (
            PARTITION BY customer_id ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS start_day
        FROM marked
    )
    SELECT {", ".join(columns)} FROM spells WHERE lapse_day IS NOT NULL"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [*windows.params, *params])
        row = cursor.fetchone()
    today = today_number(now)
    periods = []
    for index, (start, end) in enumerate(pairwise(boundaries)):
        active, lost = int(row[2 * index] or 0), int(row[2 * index + 1] or 0)
        if days[index + 1] > today + 1:
            break  # an unfinished period is left out: its churn is not known yet
        periods.append(ChurnPeriod(start, end, active, lost, wilson(lost, active)))
    return ChurnTrend(periods, _slope(periods))


def _slope(periods: list[ChurnPeriod]) -> float | None:
    known = [(index, p.rate.estimate) for index, p in enumerate(periods) if p.rate.estimate is not None]
    if len(known) < 3:
        return None
    x = np.array([index for index, _ in known], dtype=float)
    y = np.array([rate for _, rate in known], dtype=float)
    return float(np.polyfit(x, y, 1)[0])
