"""Read-side retention figures: customers by status, revenue at stake."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Max, Sum

from ecoute.accounts.models import Organization
from ecoute.customers.models import Transaction
from ecoute.retention.models import SLIPPING, ActivityStatus, CustomerStatus, RetentionRules

YEAR = timedelta(days=365)


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


def status_counts(organization: Organization) -> list[StatusCount]:
    """How many customers have each status, in the order of the statuses."""
    counts = dict(
        CustomerStatus.objects.for_org(organization)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return [StatusCount(value, str(label), counts.get(value, 0)) for value, label in ActivityStatus.choices]


def statuses_computed_at(organization: Organization) -> datetime | None:
    at: datetime | None = CustomerStatus.objects.for_org(organization).aggregate(at=Max("computed_at"))["at"]
    return at


@dataclass(frozen=True)
class RevenueAtStake:
    amount: Decimal
    currency: str
    customers: int


def revenue_at_stake(organization: Organization, now: datetime) -> RevenueAtStake:
    """What the at-risk and lost customers bought in the past 12 months, refunds netted, in the
    organization's currency (sales in another currency are not added in), and how many customers that is."""
    sales = (
        Transaction.objects.for_org(organization)
        .filter(
            occurred_at__gt=now - YEAR,
            occurred_at__lte=now,
            currency=organization.currency,
            customer__activity_status__status__in=SLIPPING,
        )
        .aggregate(amount=Sum("amount"))
    )
    customers = CustomerStatus.objects.for_org(organization).filter(status__in=SLIPPING).count()
    return RevenueAtStake(sales["amount"] or Decimal(0), organization.currency, customers)


def scores_computed_at(organization: Organization) -> datetime | None:
    """When the customers were last scored by the lifetime model (None: never)."""
    at: datetime | None = (
        RetentionRules.objects.for_org(organization).values_list("scores_computed_at", flat=True).first()
    )
    return at
