"""Customers with purchases on given days, for the retention tests."""

from datetime import UTC, date, datetime
from decimal import Decimal

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer
from tests.factories import CustomerFactory, TransactionFactory


def customer_buying(org: Organization, *days: date, amount: str = "50.00", external_id: str = "") -> Customer:
    """A customer of `org` with one purchase of `amount` at noon (UTC) on each of `days`."""
    extra = {"external_id": external_id} if external_id else {}
    customer = CustomerFactory.create(organization=org, **extra)
    for day in days:
        TransactionFactory.create(
            customer=customer,
            occurred_at=datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC),
            amount=Decimal(amount),
        )
    return customer


def every(start: date, step_days: int, until: date) -> list[date]:
    """Days from `start` every `step_days` up to `until`."""
    days = []
    ordinal = start.toordinal()
    while ordinal <= until.toordinal():
        days.append(date.fromordinal(ordinal))
        ordinal += step_days
    return days
