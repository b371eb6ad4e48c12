"""Each organization lives in its own time zone: it is checked, and the pages show dates in it."""

from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import Membership, Organization
from tests.factories import CustomerFactory, TransactionFactory


def test_an_unknown_time_zone_is_refused_with_a_message(db: None) -> None:
    with pytest.raises(CommandError, match="Mars/Olympus"):
        call_command("org", "create", "ailleurs", "--name", "Ailleurs", "--time-zone", "Mars/Olympus")
    assert not Organization.objects.filter(slug="ailleurs").exists()


def test_pages_show_dates_in_the_organizations_time_zone(owner_client: Client, owner: Membership) -> None:
    # Given an organization in Martinique and a sale at 02:30 UTC on 2 March (1 March 22:30 there)
    org = owner.organization
    org.time_zone = "America/Martinique"
    org.save()
    customer = CustomerFactory.create(organization=org)
    TransactionFactory.create(customer=customer, occurred_at=datetime(2026, 3, 2, 2, 30, tzinfo=UTC))
    # When the customer's page is shown
    page = owner_client.get(
        reverse("customers:customer_detail", args=[customer.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    # Then the sale is on 1 March, the organization's day
    assert page.context["timeline"][0].when.astimezone(UTC).day == 2
    assert "03/01/2026" in page.content.decode()
