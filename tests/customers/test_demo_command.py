"""`ecoute demo`: a demo organization with a login, filled through the real importer, built once."""

from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from ecoute.accounts.models import Membership, Organization, Role
from ecoute.customers.models import (
    Consent,
    Customer,
    ImportJob,
    ImportStatus,
    Interaction,
    LoyaltyAct,
    Transaction,
)

NOW = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def demo(settings: pytest.FixtureRequest, tmp_path: Path) -> Organization:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    with time_machine.travel(NOW, tick=False):
        call_command("demo", "--customers", "200", "--seed", "5", stdout=StringIO())
    return Organization.objects.get(slug="demo")


@pytest.mark.django_db
def test_demo_creates_a_french_retailer_with_its_customer_data(demo: Organization) -> None:
    # Then the organization speaks French in Paris time
    assert (demo.language, demo.time_zone) == ("fr", "Europe/Paris")
    # And it holds every kind of customer data
    customers = Customer.objects.for_org(demo)
    assert customers.count() == 200
    assert Transaction.objects.for_org(demo).count() > 1000
    assert Consent.objects.for_org(demo).count() > 200
    assert Interaction.objects.for_org(demo).count() > 200
    assert LoyaltyAct.objects.for_org(demo).count() > 20
    # And the customers are French, with their CRM extras kept as attributes
    assert set(customers.values_list("country", flat=True)) == {"FR"}
    assert customers.filter(region="Île-de-France").exists()
    assert customers.exclude(attributes__Civilité=None).count() == 200
    assert customers.filter(tags__name="newsletter").exists()
    # And the five imports are in its history, all done
    jobs = ImportJob.objects.for_org(demo)
    assert sorted(jobs.values_list("kind", flat=True)) == sorted(
        ["customers", "consents", "transactions", "interactions", "loyalty-acts"]
    )
    assert set(jobs.values_list("status", flat=True)) == {ImportStatus.SUCCEEDED}


@pytest.mark.django_db
def test_demo_history_has_lapsed_customers_and_seventy_percent_first_contact_resolution(
    demo: Organization,
) -> None:
    customers = Customer.objects.for_org(demo)
    lapsed = customers.filter(last_purchase_at__lt=NOW - timedelta(days=365))
    recent = customers.filter(last_purchase_at__gte=NOW - timedelta(days=365))
    assert lapsed.count() > 10
    assert recent.count() > lapsed.count()
    assert Transaction.objects.for_org(demo).filter(occurred_at__gte=NOW).count() == 0

    resolved = list(
        Interaction.objects.for_org(demo)
        .exclude(resolved_first_contact=None)
        .values_list("resolved_first_contact", flat=True)
    )
    assert 0.55 <= sum(1 for value in resolved if value) / len(resolved) <= 0.85
    late = Interaction.objects.for_org(demo).filter(kind="delivery", delivery_delay_days__gte=3)
    assert late.exists()


@pytest.mark.django_db
def test_demo_login_works_for_the_owner_analyst_and_viewer(demo: Organization) -> None:
    roles = dict(Membership.objects.filter(organization=demo).values_list("user__email", "role"))
    assert roles == {
        "demo@ecoute.local": Role.OWNER,
        "analyste@ecoute.local": Role.ANALYST,
        "lecture@ecoute.local": Role.VIEWER,
    }
    assert Client().login(email="demo@ecoute.local", password="ecoute-demo")


@pytest.mark.django_db
def test_demo_run_again_changes_nothing(demo: Organization) -> None:
    # Given the demo built once
    before = (Customer.objects.count(), Transaction.objects.count(), ImportJob.objects.count())

    # When it runs again
    out = StringIO()
    call_command("demo", "--customers", "200", stdout=out)

    # Then it names the organization that exists, and writes nothing
    assert "demo" in out.getvalue()
    assert (Customer.objects.count(), Transaction.objects.count(), ImportJob.objects.count()) == before
    assert Organization.objects.filter(slug="demo").count() == 1
