"""Each customer's purchase days and own lost window, in SQL shared by statuses and churn.

Purchases are counted by day (UTC): two sales on one day make one visit. A customer's window is the
organization's multiple of their median gap between purchase days, at least its minimum number of days;
customers with one purchase day have the minimum. The statements run set-wise over the whole
organization, on SQLite and on PostgreSQL alike; only the day and month expressions differ.
"""

# ruff: noqa: S608 - the statements are built from our own table names and SQL fragments; values are parameters

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.db import connection

from ecoute.customers.models import PURCHASE_SQL
from ecoute.retention.models import RetentionRules

UNIX_EPOCH_JULIAN_DAY = 2440587.5
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def day_number(column: str) -> str:
    """SQL for the UTC day of a timestamp column, as whole days since 1970-01-01."""
    if connection.vendor == "postgresql":
        return f"(({column} AT TIME ZONE 'UTC')::date - DATE '1970-01-01')"
    if connection.Database.sqlite_version_info >= (3, 38):  # type: ignore[attr-defined]
        return f"(unixepoch({column}) / 86400)"  # a third faster than julianday's parsing
    return f"CAST(julianday(date({column})) - {UNIX_EPOCH_JULIAN_DAY} AS INTEGER)"


def transactions_table() -> str:
    """The transactions table to read a whole organization's purchases from. SQLite would search its
    (organization, date) index and look every row up; scanning the table is twice as fast, and an
    SQLite install holds one or a few organizations."""
    if connection.vendor == "sqlite":
        return "customers_transaction NOT INDEXED"
    return "customers_transaction"


def month_number(column: str) -> str:
    """SQL for the UTC month of a timestamp column, as year × 12 + month − 1."""
    if connection.vendor == "postgresql":
        utc = f"({column} AT TIME ZONE 'UTC')"
        return f"CAST(EXTRACT(YEAR FROM {utc}) * 12 + EXTRACT(MONTH FROM {utc}) - 1 AS INTEGER)"
    return (
        f"(CAST(strftime('%%Y', {column}) AS INTEGER) * 12 + CAST(strftime('%%m', {column}) AS INTEGER) - 1)"
    )


def whole_days(expression: str) -> str:
    """SQL rounding a non-negative number of days down to a whole day."""
    if connection.vendor == "postgresql":
        return f"CAST(FLOOR({expression}) AS INTEGER)"
    return f"CAST({expression} AS INTEGER)"


def today_number(now: datetime) -> int:
    """The UTC day of `now` as the day expressions count them."""
    return now.astimezone(UTC).date().toordinal() - EPOCH_ORDINAL


@dataclass(frozen=True)
class Windows:
    """SQL (a WITH clause) naming `purchase_days` (customer_id, day, prev_gap, next_gap) and `windows`
    (customer_id, first_day, last_day, purchase_days, last_gap, lost_after, at_risk_after,
    lost_after_before_last: the lost window judged from the gaps before the last one), with its
    parameters."""

    sql: str
    params: list[Any]


def purchase_windows(organization_id: int, rules: RetentionRules, until: datetime) -> Windows:
    """The WITH clause of each customer's purchase days and windows, from purchases until `until`."""
    day = day_number("occurred_at")
    sql = f"""
    WITH visits AS (
        SELECT DISTINCT customer_id, {day} AS day
        FROM {transactions_table()}
        WHERE organization_id = %s AND {PURCHASE_SQL} AND occurred_at <= %s
    ),
    purchase_days AS (
        SELECT customer_id, day,
            day - LAG(day) OVER (PARTITION BY customer_id ORDER BY day) AS prev_gap,
            LEAD(day) OVER (PARTITION BY customer_id ORDER BY day) - day AS next_gap
        FROM visits
    ),
    ranked_gaps AS (
        SELECT customer_id, prev_gap AS gap,
            ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY prev_gap) AS k,
            COUNT(*) OVER (PARTITION BY customer_id) AS n
        FROM purchase_days WHERE prev_gap IS NOT NULL
    ),
    medians AS (
        SELECT customer_id, AVG(1.0 * gap) AS median_gap
        FROM ranked_gaps WHERE k IN ((n + 1) / 2, (n + 2) / 2)
        GROUP BY customer_id
    ),
    ranked_prior_gaps AS (
        SELECT customer_id, prev_gap AS gap,
            ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY prev_gap) AS k,
            COUNT(*) OVER (PARTITION BY customer_id) AS n
        FROM purchase_days WHERE prev_gap IS NOT NULL AND next_gap IS NOT NULL
    ),
    prior_medians AS (
        SELECT customer_id, AVG(1.0 * gap) AS median_gap
        FROM ranked_prior_gaps WHERE k IN ((n + 1) / 2, (n + 2) / 2)
        GROUP BY customer_id
    ),
    spans AS (
        SELECT customer_id, MIN(day) AS first_day, MAX(day) AS last_day, COUNT(*) AS purchase_days
        FROM visits GROUP BY customer_id
    ),
    windows AS (
        SELECT s.customer_id, s.first_day, s.last_day, s.purchase_days, p.prev_gap AS last_gap,
            CASE WHEN m.median_gap * %s > %s THEN m.median_gap * %s ELSE 1.0 * %s END AS lost_after,
            CASE WHEN m.median_gap * %s > %s THEN m.median_gap * %s ELSE 1.0 * %s END AS at_risk_after,
            CASE WHEN pm.median_gap * %s > %s THEN pm.median_gap * %s ELSE 1.0 * %s END
                AS lost_after_before_last
        FROM spans s
        JOIN purchase_days p ON p.customer_id = s.customer_id AND p.day = s.last_day
        LEFT JOIN medians m ON m.customer_id = s.customer_id
        LEFT JOIN prior_medians pm ON pm.customer_id = s.customer_id
    )
    """
    lost = (float(rules.lost_gap_multiple), rules.lost_min_days)
    at_risk = (float(rules.at_risk_gap_multiple), rules.at_risk_min_days)
    params: list[Any] = [organization_id, connection.ops.adapt_datetimefield_value(until)]
    for multiple, days in (lost, at_risk, lost):
        params += [multiple, days, multiple, days]
    return Windows(sql, params)
