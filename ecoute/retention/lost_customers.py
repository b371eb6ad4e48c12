"""The lost and at-risk customers' figures per segment, summed in SQL (one GROUP BY over the segment's
customers): how many, what they spent in their last year, what they would be worth had they stayed and
the expected value of winning them back, each sum of values with its interval.

Per customer, from the stored score (P(alive) p, CLV v with its 95 % interval [l, h]):
- value had they stayed: v / p (a lifetime model's expected value is p × the value of a customer still
  active), interval [l / p, h / p];
- expected value of winning back: what they would bring beyond what they are still expected to, the
  value had they stayed less v: v (1 − p) / p, interval [l (1 − p) / p, h (1 − p) / p].
Both scale the CLV's interval by a factor taken at the estimate of P(alive), whose own uncertainty
is not added. Sums of these intervals: ecoute/analytics/interval_sums.py (sum of the bounds).
What they spent is observed: it has no interval.
"""

# ruff: noqa: S608 - the statement wraps the ORM's own SQL; values are parameters

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection

from ecoute.accounts.models import Organization
from ecoute.analytics.interval_sums import SummedInterval, total
from ecoute.retention.segments import CHOICES, DIMENSIONS, RetentionSegment

STAYED = "1.0 / NULLIF(t.p_alive, 0)"
WON_BACK = "(1 - t.p_alive) / NULLIF(t.p_alive, 0)"


@dataclass(frozen=True)
class SegmentFigures:
    band: str
    """The code of the group's band (a store's or a region's name, "" for none)."""
    customers: int
    spent_last_year: Decimal
    value_stayed: SummedInterval
    value_won_back: SummedInterval


def _summed(factor: str) -> str:
    """The SQL columns of a SummedInterval of the CLV scaled by `factor`: Σ value, Σ low, Σ high,
    how many values, how many without an interval."""
    value = f"t.clv * {factor}"
    low, high = f"t.clv_low * {factor}", f"t.clv_high * {factor}"
    return (
        f"SUM({value}), SUM(COALESCE({low}, {value})), SUM(COALESCE({high}, {value})), COUNT({value}), "
        f"SUM(CASE WHEN {value} IS NOT NULL AND ({low} IS NULL OR {high} IS NULL) THEN 1 ELSE 0 END)"
    )


def _interval(row: tuple[Any, ...]) -> SummedInterval:
    estimate, low, high, values, without = row
    return SummedInterval(
        float(estimate or 0), float(low or 0), float(high or 0), int(values or 0), int(without or 0)
    )


def segment_figures(
    organization: Organization, segment: RetentionSegment, dimension: str
) -> list[SegmentFigures]:
    """The segment's customers grouped by `dimension` (a key of DIMENSIONS), one row per band found:
    bands in their own order, stores and regions the largest first."""
    band = DIMENSIONS[dimension]
    inner = (
        segment.customers(organization)
        .order_by()
        .values(band, "yearly_revenue", "p_alive", "clv", "clv_low", "clv_high")
    )
    sql, params = inner.query.sql_with_params()
    statement = f"""SELECT t.{band}, COUNT(*), SUM(t.yearly_revenue), {_summed(STAYED)},
        {_summed(WON_BACK)}
    FROM ({sql}) t GROUP BY t.{band}"""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    figures = [
        SegmentFigures(
            band=str(row[0] or ""),
            customers=int(row[1]),
            spent_last_year=Decimal(str(row[2] or 0)).quantize(Decimal("0.01")),
            value_stayed=_interval(row[3:8]),
            value_won_back=_interval(row[8:13]),
        )
        for row in rows
    ]
    order = CHOICES.get(dimension)
    if order is None:  # stores and regions: the most customers first
        return sorted(figures, key=lambda figure: (-figure.customers, figure.band))
    return sorted(
        figures, key=lambda figure: order.index(figure.band) if figure.band in order else len(order)
    )


def figures_total(figures: list[SegmentFigures]) -> SegmentFigures:
    """The whole segment: the groups are disjoint, so their counts, sums and bounds add."""
    return SegmentFigures(
        band="",
        customers=sum(figure.customers for figure in figures),
        spent_last_year=sum((figure.spent_last_year for figure in figures), Decimal(0)),
        value_stayed=total(figure.value_stayed for figure in figures),
        value_won_back=total(figure.value_won_back for figure in figures),
    )
