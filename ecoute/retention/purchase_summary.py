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
from ecoute.retention.activity_sql import day_number, today_number, transactions_table

type FloatArray = npt.NDArray[np.float64]
type IntArray = npt.NDArray[np.int64]


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
    sql = f"""
    WITH daily AS (
        SELECT customer_id, {day} AS day, COUNT(*) AS purchases,
            SUM(CASE WHEN currency = %s THEN amount ELSE 0 END) AS spend
        FROM {transactions_table()}
        WHERE organization_id = %s AND amount >= 0 AND occurred_at <= %s
        GROUP BY customer_id, {day}
    ),
    ordered AS (
        SELECT customer_id, day, purchases, spend,
            FIRST_VALUE(spend) OVER (PARTITION BY customer_id ORDER BY day) AS first_spend
        FROM daily
    )
    SELECT customer_id, COUNT(*) - 1, MAX(day), MIN(day), SUM(spend) - MAX(first_spend), SUM(purchases)
    FROM ordered
    GROUP BY customer_id
    ORDER BY customer_id"""
    until = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(sql, [organization.currency, organization.pk, until])
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT COUNT(*) FROM customers_transaction WHERE organization_id = %s AND amount < 0 "
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
