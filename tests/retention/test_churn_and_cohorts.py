"""Churn per month and quarter, cohort retention and revenue at stake, against hand counts."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from ecoute.accounts.models import Organization
from ecoute.retention.churn import churn_by_period, period_starts
from ecoute.retention.cohorts import cohort_retention
from ecoute.retention.queries import revenue_at_stake
from ecoute.retention.statuses import recompute_statuses
from tests.factories import TransactionFactory
from tests.retention.purchases import customer_buying

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def four_customers(org: Organization) -> None:
    """Under the default rules (one-time buyers lost on the 181st day):
    A bought on 1 Nov 2025 and is lost on 1 May 2026; B bought on 15 Dec 2025, lost on 14 June;
    C bought on 10 Jan and 1 June 2026 (142 days apart: lost after 426 days), still active;
    D first bought on 10 May 2026."""
    customer_buying(org, date(2025, 11, 1), external_id="A")
    customer_buying(org, date(2025, 12, 15), external_id="B")
    customer_buying(org, date(2026, 1, 10), date(2026, 6, 1), external_id="C")
    customer_buying(org, date(2026, 5, 10), external_id="D")


@time_machine.travel(NOW, tick=False)
@pytest.mark.usefixtures("four_customers")
def test_monthly_churn_counts_those_lost_among_the_active_at_the_start(org: Organization) -> None:
    # When churn is computed for the last three complete months (April, May, June 2026)
    trend = churn_by_period(org, period_starts(NOW.date(), 1, 3), NOW)

    # Then April loses no one of A, B, C; May loses A of A, B, C; June loses B of B, C, D
    assert [(p.start, p.active_at_start, p.lost) for p in trend.periods] == [
        (date(2026, 4, 1), 3, 0),
        (date(2026, 5, 1), 3, 1),
        (date(2026, 6, 1), 3, 1),
    ]
    assert trend.periods[1].rate.estimate == pytest.approx(100 / 3)
    # And the trend rises by a sixth of 100 points a month (least squares over 0, 33.3, 33.3)
    assert trend.slope_points == pytest.approx(100 / 6)


@time_machine.travel(NOW, tick=False)
@pytest.mark.usefixtures("four_customers")
def test_quarterly_churn_leaves_out_customers_who_joined_during_the_quarter(org: Organization) -> None:
    # When churn is computed for the last complete quarter (Q2 2026)
    trend = churn_by_period(org, period_starts(NOW.date(), 3, 1), NOW)

    # Then A and B were lost out of A, B, C active on 1 April (D came later)
    [quarter] = trend.periods
    assert (quarter.start, quarter.end, quarter.active_at_start, quarter.lost) == (
        date(2026, 4, 1),
        date(2026, 7, 1),
        3,
        2,
    )
    assert trend.slope_points is None


@time_machine.travel(NOW, tick=False)
def test_cohorts_count_each_customer_once_a_month_and_leave_out_refunds(org: Organization) -> None:
    # Given two customers first buying in May (one again twice in June), one in June (again in July),
    # and a refund in June for the other May customer
    customer_buying(org, date(2026, 5, 3), date(2026, 6, 20), date(2026, 6, 25))
    may_only = customer_buying(org, date(2026, 5, 20))
    TransactionFactory.create(customer=may_only, occurred_at=datetime(2026, 6, 2, tzinfo=UTC), amount=-10)
    customer_buying(org, date(2026, 6, 2), date(2026, 7, 1))

    # When the cohort table is computed
    cohorts = {cohort.month: cohort for cohort in cohort_retention(org, NOW)}

    # Then May's cohort has 2 customers, half of whom bought in June; July is not over: blank
    may = cohorts[date(2026, 5, 1)]
    assert may.customers == 2
    assert may.retained[0] is not None
    assert (may.retained[0].successes, may.retained[0].n) == (1, 2)
    assert may.retained[1] is None
    # And June's cohort has 1 customer, its July left blank
    assert cohorts[date(2026, 6, 1)].customers == 1
    assert cohorts[date(2026, 6, 1)].retained[0] is None


@time_machine.travel(NOW, tick=False)
def test_revenue_at_stake_is_the_past_years_revenue_of_at_risk_and_lost_customers(org: Organization) -> None:
    # Given a lost customer (200 € ten months ago), an at-risk one (80 € five months ago, 30 € refunded),
    # an active one, and a lost one whose purchase is older than a year
    customer_buying(org, date(2025, 9, 15), amount="200.00")
    at_risk = customer_buying(org, date(2026, 2, 10), amount="80.00")
    TransactionFactory.create(customer=at_risk, occurred_at=datetime(2026, 2, 12, tzinfo=UTC), amount=-30)
    customer_buying(org, date(2026, 7, 1), amount="500.00")
    customer_buying(org, date(2025, 6, 1), amount="1000.00")
    recompute_statuses(org)

    # When the revenue at stake is computed
    at_stake = revenue_at_stake(org, NOW)

    # Then it is 200 + 80 − 30 €, over the three customers at risk or lost
    assert (at_stake.amount, at_stake.currency, at_stake.customers) == (Decimal(250), "EUR", 3)
