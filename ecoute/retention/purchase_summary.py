"""Each customer's lifetime-model summary computed in SQL: frequency, recency, age and repeat spend.

The conventions of the engine (ecoute/analytics/btyd/summary.py): purchases on one day (UTC) are one
purchase, their amounts summed; frequency counts the purchase days after the first; recency and age run
from the first purchase, in periods; the monetary value is the mean spend of the repeat purchase days.
Refunds are not purchases; spend counts sales in the organization's currency only.
"""

# ruff: noqa: S608 - the statement is built from our own SQL fragments; values are parameters

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt
from django.db import connection

from ecoute.accounts.models import Organization
from ecoute.customers.models import PURCHASE_SQL
from ecoute.retention.activity_sql import day_number, today_number, transactions_table

type FloatArray = npt.NDArray[np.float64]
type IntArray = npt.NDArray[np.int64]

# Spend per day in cents stays below 10^12 (ten billion a day).
FIRST_DAY_KEY = 10**12


@dataclass(frozen=True)
class PurchaseSummary:
    customer_id: IntArray
    frequency: FloatArray
    recency: FloatArray
    age: FloatArray
    monetary_value: FloatArray
    first_day: IntArray
    today: int
    period_days: float
    purchase_rows: int
    refunds: int

    @property
    def customers(self) -> int:
        return int(self.customer_id.size)


def summarise_purchases(
    organization: Organization, now: datetime, period_days: float = 7.0
) -> PurchaseSummary:
    """One row per customer who bought until `now`, in customer id order."""
    day = day_number("occurred_at")
    # The first day's spend without a window function (which sorts every purchase day again, and
    # triples the time on SQLite): the smallest of day × 10^12 + spend in cents is the first day's.
    sql = f"""
    WITH daily AS (
        SELECT customer_id, {day} AS day, COUNT(*) AS purchases,
            SUM(CASE WHEN currency = %s THEN amount ELSE 0 END) AS spend
        FROM {transactions_table()}
        WHERE organization_id = %s AND {PURCHASE_SQL} AND occurred_at <= %s
        GROUP BY customer_id, {day}
    )
    SELECT customer_id, COUNT(*) - 1, MAX(day), MIN(day),
        SUM(spend) - (MIN(day * {FIRST_DAY_KEY} + CAST(ROUND(spend * 100) AS BIGINT))
            - MIN(day) * {FIRST_DAY_KEY}) / 100.0,
        SUM(purchases)
    FROM daily
    GROUP BY customer_id
    ORDER BY customer_id"""
    until = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(sql, [organization.currency, organization.pk, until])
        rows = cursor.fetchall()
        cursor.execute(
            f"SELECT COUNT(*) FROM customers_transaction WHERE organization_id = %s AND NOT {PURCHASE_SQL} "
            "AND occurred_at <= %s",
            [organization.pk, until],
        )
        refunds = int(cursor.fetchone()[0])
    if rows:
        ids, repeats, last, first, repeat_spend, purchases = (
            np.array(column) for column in zip(*rows, strict=True)
        )
    else:
        ids = repeats = last = first = repeat_spend = purchases = np.zeros(0)
    today = today_number(now)
    frequency = repeats.astype(np.float64)
    first_day = first.astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        monetary = np.where(frequency > 0, repeat_spend.astype(np.float64) / frequency, 0.0)
    return PurchaseSummary(
        customer_id=ids.astype(np.int64),
        frequency=frequency,
        recency=(last.astype(np.int64) - first_day) / period_days,
        age=(today - first_day) / period_days,
        monetary_value=monetary,
        first_day=first_day,
        today=today,
        period_days=period_days,
        purchase_rows=int(purchases.sum()),
        refunds=refunds,
    )
