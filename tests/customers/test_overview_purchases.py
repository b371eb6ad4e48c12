"""A refund (a sale of negative amount) gives money back: it is not a purchase anywhere — not in a
customer's purchase count or last purchase, not in the overview's count, not as the store a customer
last bought in, not as an event an after-purchase survey follows. Revenue nets it. And the overview's
months read as each language abbreviates them."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine
from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer
from ecoute.listening.audiences import audience_customers
from tests.customers.importing import run_import, write_csv
from tests.factories import CustomerFactory, SurveyFactory, TransactionFactory

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def test_an_imported_refund_neither_counts_as_a_purchase_nor_moves_the_last_purchase(
    tmp_path: Path, org: Organization
) -> None:
    # Given a till export with a purchase in January and its refund in February
    CustomerFactory.create(organization=org, external_id="C1")
    sales = write_csv(
        tmp_path / "ventes.csv",
        "N° ticket;N° client;Date;Montant TTC\nT1;C1;10/01/2026;120,00\nT2;C1;01/02/2026;-120,00\n",
    )
    # When it is imported
    run_import("transactions", str(sales), "--org", org.slug)
    # Then the customer made one purchase, on 10 January
    customer = Customer.objects.get(organization=org, external_id="C1")
    assert customer.purchases_count == 1
    assert customer.last_purchase_at is not None
    assert customer.last_purchase_at.astimezone(ZoneInfo(org.time_zone)).date().isoformat() == "2026-01-10"


def test_the_overview_counts_purchases_and_nets_refunds_in_revenue(
    owner_client: Client, org: Organization
) -> None:
    # Given two purchases and one refund this month
    customer = CustomerFactory.create(organization=org)
    for number, amount in [(1, "100.00"), (2, "50.00"), (3, "-30.00")]:
        TransactionFactory.create(
            customer=customer,
            external_id=f"T{number}",
            amount=Decimal(amount),
            occurred_at=NOW - timedelta(days=1),
        )
    # When the overview is opened
    with time_machine.travel(NOW, tick=False):
        page = owner_client.get(reverse("customers:overview"))
    # Then it counts two purchases, per month too, and revenue of 120
    assert page.context["counts"]["purchases"] == 2
    assert page.context["counts"]["revenue"] == Decimal("120.00")
    assert page.context["transactions_chart"]["series"][0]["data"][-1] == 2
    assert page.context["revenue_chart"]["series"][0]["data"][-1] == 120.0


def test_a_refund_is_neither_the_store_last_bought_in_nor_an_event_an_after_purchase_survey_follows(
    org: Organization,
) -> None:
    # Given a customer who bought in Lyon, then was refunded in Paris, both three days ago
    customer = CustomerFactory.create(organization=org, external_id="C1")
    TransactionFactory.create(
        customer=customer,
        external_id="T1",
        store="Lyon",
        amount=Decimal("80.00"),
        occurred_at=NOW - timedelta(days=3, hours=2),
    )
    TransactionFactory.create(
        customer=customer,
        external_id="T2",
        store="Paris",
        amount=Decimal("-80.00"),
        occurred_at=NOW - timedelta(days=3),
    )
    after_purchase = SurveyFactory.create(
        organization=org,
        kind="transactional",
        audience={"trigger": {"event": "transaction", "after_days": 2, "within_days": 7}},
    )
    in_lyon = SurveyFactory.create(organization=org, audience={"segment": {"store": ["Lyon"]}})
    in_paris = SurveyFactory.create(organization=org, audience={"segment": {"store": ["Paris"]}})
    # Then the after-purchase survey follows the purchase only
    due = list(audience_customers(after_purchase, NOW).values_list("external_id", "trigger_ref"))
    assert due == [("C1", "transaction:T1")]
    # And the customer last bought in Lyon
    assert list(audience_customers(in_lyon, NOW).values_list("external_id", flat=True)) == ["C1"]
    assert list(audience_customers(in_paris, NOW).values_list("external_id", flat=True)) == []


def test_the_overview_charts_name_months_as_each_language_abbreviates_them(
    owner_client: Client, org: Organization
) -> None:
    # Given the overview opened on 10 March 2026
    with time_machine.travel(NOW, tick=False):
        # When a French reader and an English reader open it
        french = owner_client.get(reverse("customers:overview"), HTTP_ACCEPT_LANGUAGE="fr")
        english = owner_client.get(reverse("customers:overview"), HTTP_ACCEPT_LANGUAGE="en")
    # Then the months read as each language abbreviates them ("déc. 2025", "août 2025")
    assert french.context["revenue_chart"]["x"][-4:] == ["déc. 2025", "jan. 2026", "fév. 2026", "mars 2026"]
    assert french.context["revenue_chart"]["x"][-8] == "août 2025"
    assert english.context["revenue_chart"]["x"][-4:] == ["Dec. 2025", "Jan. 2026", "Feb. 2026", "March 2026"]
