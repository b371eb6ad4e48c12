"""Cohort retention: of the customers whose first purchase fell in a month, the share who bought again
in each following month."""

# ruff: noqa: S608 - the statement is built from our own SQL fragments; values are parameters

from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection

from ecoute.accounts.models import Organization
from ecoute.analytics.proportions import ProportionEstimate, wilson
from ecoute.customers.models import PURCHASE_SQL
from ecoute.retention.activity_sql import month_number, transactions_table


@dataclass(frozen=True)
class Cohort:
    month: date
    customers: int
    # Share of the cohort buying in its month 1, 2, … after the first; None for months not over.
    retained: list[ProportionEstimate | None]


def cohort_retention(organization: Organization, now: datetime, cohorts: int = 12) -> list[Cohort]:
    """The last `cohorts` months of first purchases (UTC months), each with its retention in the months
    after, up to the current one."""
    month = month_number("occurred_at")
    current = now.year * 12 + now.month - 1
    first_cohort = current - cohorts + 1
    sql = f"""
    WITH months AS (
        SELECT DISTINCT customer_id, {month} AS m
        FROM {transactions_table()}
        WHERE organization_id = %s AND {PURCHASE_SQL} AND occurred_at <= %s
    ),
    firsts AS (SELECT customer_id, MIN(m) AS cohort FROM months GROUP BY customer_id)
    SELECT f.cohort, mo.m - f.cohort, COUNT(*)
    FROM months mo JOIN firsts f ON f.customer_id = mo.customer_id
    WHERE f.cohort >= %s
    GROUP BY f.cohort, mo.m - f.cohort"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [organization.pk, connection.ops.adapt_datetimefield_value(now), first_cohort])
        counts = {(int(cohort), int(age)): int(n) for cohort, age, n in cursor.fetchall()}
    table = []
    for cohort in range(first_cohort, current + 1):
        size = counts.get((cohort, 0), 0)
        retained: list[ProportionEstimate | None] = []
        for age in range(1, cohorts):
            if cohort + age >= current or size == 0:
                retained.append(None)
            else:
                retained.append(wilson(counts.get((cohort, age), 0), size))
        table.append(Cohort(date(cohort // 12, cohort % 12 + 1, 1), size, retained))
    return table
