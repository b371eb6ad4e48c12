"""Slipping customers and campaigns, for the campaign tests."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ecoute.accounts.models import Organization
from ecoute.analytics.lift import in_control
from ecoute.customers.models import Customer
from ecoute.retention.models import Campaign, CustomerStatus
from tests.factories import ConsentFactory, CustomerFactory, TransactionFactory

LAST_YEAR = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def slipping_customer(
    org: Organization,
    status: str = "lost",
    *,
    marketing: bool | None = True,
    store: str = "Lyon",
    **fields: Any,
) -> Customer:
    """A customer of `org` whose last purchase (at `store`) was a year ago and whose status is `status`;
    with their e-mail consent to marketing granted, withdrawn (False) or never given (None)."""
    customer = CustomerFactory.create(organization=org, **fields)
    TransactionFactory.create(customer=customer, occurred_at=LAST_YEAR, amount=Decimal("80.00"), store=store)
    CustomerStatus.objects.create(
        organization=org, customer=customer, status=status, lost_after_days=180, computed_at=LAST_YEAR
    )
    if marketing is not None:
        ConsentFactory.create(
            customer=customer, purpose="marketing", granted=marketing, recorded_at=LAST_YEAR
        )
    return customer


def campaign_of(org: Organization, **fields: Any) -> Campaign:
    values: dict[str, Any] = {
        "name": "Revenez nous voir",
        "audience": {"status": "both"},
        "email_enabled": True,
        "email_subject_fr": "{first_name|Bonjour}, vous nous manquez",
        "email_body_fr": (
            "Bonjour {first_name|cher client},\n\nVotre boutique de {fidelity_store|quartier} vous attend."
        ),
        "email_subject_en": "{first_name|Hello}, we miss you",
        "email_body_en": "Hello {first_name|dear customer},\n\nYour {fidelity_store|local} shop is waiting.",
        **fields,
    }
    return Campaign.objects.create(organization=org, **values)


def treating(campaign: Campaign, *customers: Customer) -> Campaign:
    """`campaign` with a salt that puts every one of `customers` in the treatment group."""
    share = float(campaign.control_share)
    campaign.salt = next(
        salt
        for salt in (f"sel-{n}" for n in range(10_000))
        if not any(in_control(salt, customer.pk, share) for customer in customers)
    )
    campaign.save()
    return campaign
