"""A hand-built shop of lost and at-risk customers whose segment figures are computed by hand in the
tests that read it (tests/retention/test_lost_customer_segments.py)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer
from ecoute.customers.queries import refresh_purchase_stats
from ecoute.retention.models import ActivityStatus, CustomerScore, CustomerStatus
from tests.factories import CustomerFactory, ResponseFactory, SurveyFactory, TransactionFactory

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)


def _buy(customer: Customer, day: date, amount: str, store: str = "", currency: str = "EUR") -> None:
    TransactionFactory.create(
        customer=customer,
        occurred_at=datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC),
        amount=Decimal(amount),
        store=store,
        currency=currency,
    )


def _status(customer: Customer, status: str) -> None:
    CustomerStatus.objects.create(
        organization=customer.organization,
        customer=customer,
        status=status,
        lost_after_days=180,
        computed_at=NOW,
    )


def _score(customer: Customer, p_alive: float, clv: float, low: float | None, high: float | None) -> None:
    CustomerScore.objects.create(
        organization=customer.organization, customer=customer, frequency=1, recency_days=10, age_days=100,
        monetary=50, p_alive=p_alive, expected_purchases=1.0, clv=clv, clv_low=low, clv_high=high,
        computed_at=NOW,
    )  # fmt: skip


def _answered(customer: Customer, level: str, day: date) -> None:
    survey = SurveyFactory.create(organization=customer.organization)
    ResponseFactory.create(
        survey=survey,
        customer=customer,
        nps_level=level,
        started_at=datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC),
    )


@dataclass(frozen=True)
class SlippingShop:
    anne: Customer  # lost, Rennes, Bretagne, 250 € in her last year, detractor
    bruno: Customer  # lost, Nantes, 3 000 €, never answered, scored without an interval
    chloe: Customer  # at risk, Rennes, Bretagne, 100 € refund netted, promoter (detractor before)
    denis: Customer  # at risk, no store, no region, 45,50 €, not scored, passive
    emma: Customer  # active: never in a lost or at-risk segment


def slipping_shop(org: Organization) -> SlippingShop:
    anne = CustomerFactory.create(organization=org, last_name="Anne", region="Bretagne")
    _buy(anne, date(2024, 2, 1), "999.00", "Rennes")  # more than a year before her last purchase
    _buy(anne, date(2025, 1, 10), "100.00", "Rennes")
    _buy(anne, date(2025, 2, 1), "500.00", "Rennes", currency="USD")  # another currency: not added in
    _buy(anne, date(2025, 3, 10), "150.00", "Rennes")
    _status(anne, ActivityStatus.LOST)
    _score(anne, 0.2, 40, 20, 80)  # had she stayed 200 [100, 400]; winning back 160 [80, 320]
    _answered(anne, "detractor", date(2025, 4, 1))

    bruno = CustomerFactory.create(organization=org, last_name="Bruno", region="Pays de la Loire")
    _buy(bruno, date(2024, 1, 5), "3000.00", "Nantes")
    _status(bruno, ActivityStatus.LOST)
    _score(bruno, 0.5, 600, None, None)  # had he stayed 1 200; winning back 600, both without interval

    chloe = CustomerFactory.create(organization=org, last_name="Chloé", region="Bretagne")
    _buy(chloe, date(2026, 1, 20), "80.00", "Nantes")
    _buy(chloe, date(2026, 3, 1), "40.00", "Rennes")
    _buy(chloe, date(2026, 3, 2), "-20.00", "Nantes")  # a refund: not her last purchase, but netted
    _status(chloe, ActivityStatus.AT_RISK)
    _score(chloe, 0.6, 90, 60, 135)  # had she stayed 150 [100, 225]; winning back 60 [40, 90]
    _answered(chloe, "detractor", date(2026, 1, 25))
    _answered(chloe, "promoter", date(2026, 3, 5))

    denis = CustomerFactory.create(organization=org, last_name="Denis", region="")
    _buy(denis, date(2026, 2, 1), "45.50")
    _status(denis, ActivityStatus.AT_RISK)
    _answered(denis, "passive", date(2026, 2, 10))

    emma = CustomerFactory.create(organization=org, last_name="Emma", region="Bretagne")
    _buy(emma, date(2026, 7, 1), "500.00", "Rennes")
    _status(emma, ActivityStatus.ACTIVE)
    _score(emma, 0.9, 300, 200, 450)

    refresh_purchase_stats(org.pk)
    return SlippingShop(anne, bruno, chloe, denis, emma)
