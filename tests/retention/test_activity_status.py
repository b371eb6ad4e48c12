"""Each customer's status is computed from purchases and the organization's rules, under frozen time."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from ecoute.accounts.models import Organization
from ecoute.retention.models import ActivityStatus, CustomerStatus, RetentionRules
from ecoute.retention.statuses import recompute_statuses
from tests.factories import TransactionFactory
from tests.retention.purchases import customer_buying, every

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


def status_of(customer_id: int) -> str:
    return CustomerStatus.objects.get(customer_id=customer_id).status


@time_machine.travel(NOW, tick=False)
def test_each_status_follows_the_default_rules(org: Organization) -> None:
    # Given customers whose purchases tell each story (default rules: lost after 3 median gaps, at
    # least 180 days; at risk after 2, at least 90; new or reactivated for 90 days)
    new = customer_buying(org, date(2026, 6, 1))
    active = customer_buying(org, *every(date(2025, 1, 1), 30, date(2026, 6, 20)))
    at_risk = customer_buying(org, date(2026, 1, 15))
    lost = customer_buying(org, date(2025, 10, 1))
    reactivated = customer_buying(org, date(2025, 1, 1), date(2026, 6, 10))
    never_bought = customer_buying(org)

    # When the statuses are recomputed
    report = recompute_statuses(org)

    # Then each has the status its purchases give, and the one who never bought has none
    assert status_of(new.pk) == ActivityStatus.NEW
    assert status_of(active.pk) == ActivityStatus.ACTIVE
    assert status_of(at_risk.pk) == ActivityStatus.AT_RISK
    assert status_of(lost.pk) == ActivityStatus.LOST
    assert status_of(reactivated.pk) == ActivityStatus.REACTIVATED
    assert not CustomerStatus.objects.filter(customer=never_bought).exists()
    assert sum(report.counts.values()) == 5


@time_machine.travel(NOW, tick=False)
def test_a_frequent_buyer_is_lost_after_three_of_their_own_gaps_and_a_rare_one_after_the_minimum(
    org: Organization,
) -> None:
    # Given a customer who buys every 100 days and one who bought every 20 days
    every_100 = customer_buying(org, *every(date(2024, 6, 1), 100, date(2025, 11, 1)))
    every_20 = customer_buying(org, *every(date(2025, 6, 1), 20, date(2026, 2, 1)))

    # When the statuses are computed
    recompute_statuses(org)

    # Then the first, 2 median gaps (200 days) but not 3 (300) since his last visit, is at risk
    last_visit = every(date(2024, 6, 1), 100, date(2025, 11, 1))[-1]
    assert 200 < (NOW.date() - last_visit).days <= 300
    assert status_of(every_100.pk) == ActivityStatus.AT_RISK
    assert CustomerStatus.objects.get(customer=every_100).lost_after_days == 300
    # And the second, 3 gaps being shorter than 180 days, is held to the 180-day minimum: at risk
    assert 90 < (NOW.date() - every(date(2025, 6, 1), 20, date(2026, 2, 1))[-1]).days <= 180
    assert CustomerStatus.objects.get(customer=every_20).lost_after_days == 180
    assert status_of(every_20.pk) == ActivityStatus.AT_RISK


@time_machine.travel(NOW, tick=False)
def test_refunds_are_not_purchases(org: Organization) -> None:
    # Given a customer who bought 200 days ago and was refunded last week
    customer = customer_buying(org, date(2025, 12, 12))
    TransactionFactory.create(
        customer=customer, occurred_at=datetime(2026, 6, 23, tzinfo=UTC), amount=Decimal(-50)
    )
    # And one whose only transaction is a refund
    customer_buying_refund = customer_buying(org, date(2026, 6, 23), amount="-50.00")

    # When the statuses are computed
    recompute_statuses(org)

    # Then the refund does not bring him back: he is lost; a refund alone gives no status
    assert status_of(customer.pk) == ActivityStatus.LOST
    assert not CustomerStatus.objects.filter(customer=customer_buying_refund).exists()


@time_machine.travel(NOW, tick=False)
def test_the_organizations_rules_decide(org: Organization) -> None:
    # Given a customer who bought once 120 days ago, and rules that call customers lost after 100 days
    customer = customer_buying(org, date(2026, 3, 2))
    RetentionRules.objects.create(organization=org, lost_min_days=100, at_risk_min_days=50)

    # When the statuses are computed
    recompute_statuses(org)

    # Then he is lost (he would only be at risk under the defaults)
    assert status_of(customer.pk) == ActivityStatus.LOST


def test_statuses_are_kept_per_organization(org: Organization, other_org: Organization) -> None:
    # Given a customer in each organization
    with time_machine.travel(NOW, tick=False):
        ours = customer_buying(org, date(2026, 6, 1))
        theirs = customer_buying(other_org, date(2025, 1, 1))

        # When only our organization's statuses are computed
        recompute_statuses(org)

    # Then the other organization's customer has none
    assert status_of(ours.pk) == ActivityStatus.NEW
    assert not CustomerStatus.objects.filter(customer=theirs).exists()
