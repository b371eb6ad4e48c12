"""The customer list (search, filters, sort, pages), the customer page and the overview."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import Organization, Role
from ecoute.customers.models import Customer, Tag
from tests.conftest import member_client
from tests.customers.importing import run_import, write_csv
from tests.factories import (
    ConsentFactory,
    CustomerFactory,
    InteractionFactory,
    LoyaltyActFactory,
    MembershipFactory,
    TransactionFactory,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _names(client: Client, query: str) -> list[str]:
    page = client.get(reverse("customers:customer_list") + query)
    assert page.status_code == 200
    return [customer.external_id for customer in page.context["page"]]


def test_search_finds_a_customer_by_name_start_in_either_order_without_accents(
    tmp_path: Path, owner_client: Client, org: Organization
) -> None:
    # Given customers imported from the CRM
    text = (
        "N° client;Nom;Prénom;E-mail\nA;Lefèvre;Hélène;h.lefevre@exemple.fr\nB;Lefort;Marc;marc@exemple.fr\n"
    )
    run_import("customers", str(write_csv(tmp_path / "c.csv", text)), "--org", org.slug)
    # Then the search reads names without accents or case, by their start, in either order
    assert _names(owner_client, "?q=lefe") == ["A"]
    assert _names(owner_client, "?q=LEF") == ["A", "B"]
    assert _names(owner_client, "?q=Hélène Lef") == ["A"]
    assert _names(owner_client, "?q=lefevre helene") == ["A"]
    # by the start of the e-mail, or the exact CRM id
    assert _names(owner_client, "?q=marc@") == ["B"]
    assert _names(owner_client, "?q=B") == ["B"]


def test_a_later_import_of_names_alone_keeps_the_search_up_to_date(
    tmp_path: Path, owner_client: Client, org: Organization
) -> None:
    run_import(
        "customers", str(write_csv(tmp_path / "c.csv", "N° client;Nom\nA;Durand\n")), "--org", org.slug
    )
    run_import("customers", str(write_csv(tmp_path / "d.csv", "N° client;Nom\nA;Dupré\n")), "--org", org.slug)
    assert _names(owner_client, "?q=dupre") == ["A"]
    assert _names(owner_client, "?q=durand") == []


@time_machine.travel(NOW, tick=False)
def test_filters_combine_tag_consent_region_and_last_purchase(
    owner_client: Client, org: Organization
) -> None:
    vip = Tag.objects.create(organization=org, name="VIP")
    recent = CustomerFactory.create(organization=org, external_id="R", region="Bretagne", email_consent=True)
    recent.tags.add(vip)
    TransactionFactory.create(customer=recent, occurred_at=NOW - timedelta(days=20))
    lapsed = CustomerFactory.create(organization=org, external_id="L", region="Bretagne")
    TransactionFactory.create(customer=lapsed, occurred_at=NOW - timedelta(days=500))
    CustomerFactory.create(organization=org, external_id="N", region="Occitanie")
    from ecoute.customers.queries import refresh_purchase_stats

    refresh_purchase_stats(org.pk)
    assert _names(owner_client, f"?tag={vip.pk}") == ["R"]
    assert _names(owner_client, "?consent=yes") == ["R"]
    assert _names(owner_client, "?region=Bretagne&last_purchase=lapsed") == ["L"]
    assert _names(owner_client, "?last_purchase=3m") == ["R"]
    assert _names(owner_client, "?last_purchase=never") == ["N"]
    assert _names(owner_client, "?sort=-last_purchase") == ["R", "L", "N"]


def test_the_list_is_paginated_and_keeps_the_filters_in_the_page_links(
    owner_client: Client, org: Organization
) -> None:
    for number in range(120):
        CustomerFactory.create(organization=org, external_id=f"P{number:03d}", region="Normandie")
    page = owner_client.get(reverse("customers:customer_list") + "?region=Normandie&page=2")
    assert len(page.context["page"]) == 50
    assert "region=Normandie&amp;page=3" in page.content.decode()


def test_htmx_gets_only_the_rows_of_the_list(owner_client: Client, org: Organization) -> None:
    CustomerFactory.create(organization=org)
    html = owner_client.get(reverse("customers:customer_list"), HTTP_HX_REQUEST="true").content.decode()
    assert "<tbody>" in html
    assert "<html" not in html


def test_the_customer_page_shows_profile_consents_and_a_timeline(
    owner_client: Client, org: Organization
) -> None:
    customer = CustomerFactory.create(organization=org, first_name="Inès", last_name="Martin")
    ConsentFactory.create(customer=customer, granted=True, recorded_at=datetime(2025, 1, 1, tzinfo=UTC))
    ConsentFactory.create(customer=customer, granted=False, recorded_at=datetime(2026, 1, 1, tzinfo=UTC))
    TransactionFactory.create(customer=customer, amount=Decimal("42.50"), store="Lyon Part-Dieu")
    InteractionFactory.create(customer=customer, delivery_delay_days=3, kind="delivery")
    LoyaltyActFactory.create(customer=customer, text="Très bon accueil")
    page = owner_client.get(
        reverse("customers:customer_detail", args=[customer.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = page.content.decode()
    assert "Inès Martin" in html
    # the current consent is the latest record: withdrawn
    assert [c.granted for c in page.context["current_consents"]] == [False]
    assert [entry.kind for entry in page.context["timeline"]] == ["loyalty", "interaction", "transaction"]
    assert "Lyon Part-Dieu" in html
    assert "3 days late" in html
    assert "Très bon accueil" in html


def test_user_data_is_escaped_on_the_pages(owner_client: Client, org: Organization) -> None:
    customer = CustomerFactory.create(organization=org, last_name="<script>alert(1)</script>")
    html = owner_client.get(reverse("customers:customer_detail", args=[customer.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


@time_machine.travel(NOW, tick=False)
def test_the_overview_counts_and_charts_monthly_sales_in_the_organizations_zone(
    owner_client: Client, org: Organization
) -> None:
    customer = CustomerFactory.create(organization=org)
    # 31 October 23:30 UTC is already November in Paris
    TransactionFactory.create(
        customer=customer, occurred_at=datetime(2026, 10, 31, 23, 30, tzinfo=UTC), amount=Decimal("100.00")
    )
    TransactionFactory.create(
        customer=customer, occurred_at=datetime(2026, 10, 15, 10, 0, tzinfo=UTC), amount=Decimal("20.00")
    )
    page = owner_client.get(reverse("customers:overview"))
    assert page.context["counts"]["purchases"] == 2
    assert page.context["counts"]["revenue"] == Decimal("120.00")
    chart = page.context["revenue_chart"]
    assert chart["series"][0]["data"][-2:] == [20.0, 100.0]
    assert len(chart["x"]) == 24
    assert 'data-chart="chart-revenue"' in page.content.decode()


@pytest.mark.parametrize("role", [Role.VIEWER])
def test_viewers_see_the_overview_but_not_the_customers(org: Organization, role: str) -> None:
    client = member_client(MembershipFactory.create(organization=org, role=role))
    assert client.get(reverse("customers:overview")).status_code == 200
    assert client.get(reverse("customers:customer_list")).status_code == 403
    assert Customer.objects.count() == 0


def test_a_stale_filter_is_dropped_alone_and_any_region_can_be_linked(
    owner_client: Client, org: Organization
) -> None:
    CustomerFactory.create(organization=org, external_id="K", region="Corse")
    CustomerFactory.create(organization=org, external_id="M", region="Bretagne")
    # a tag that no longer exists does not erase the region filter
    assert _names(owner_client, "?tag=999999&region=Corse") == ["K"]


def test_going_back_to_the_list_after_a_cache_miss_gets_the_whole_page(
    owner_client: Client, org: Organization
) -> None:
    CustomerFactory.create(organization=org)
    response = owner_client.get(
        reverse("customers:customer_list"), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()
    assert "HX-Request" in response["Vary"]


@time_machine.travel(NOW, tick=False)
def test_revenue_adds_up_the_main_currency_only_and_says_what_it_left_out(
    owner_client: Client, org: Organization
) -> None:
    customer = CustomerFactory.create(organization=org)
    TransactionFactory.create(customer=customer, amount=Decimal("100.00"), currency="EUR")
    TransactionFactory.create(customer=customer, amount=Decimal("60.00"), currency="EUR")
    TransactionFactory.create(customer=customer, amount=Decimal("500.00"), currency="CHF")
    page = owner_client.get(reverse("customers:overview"), HTTP_ACCEPT_LANGUAGE="en")
    counts = page.context["counts"]
    assert (counts["revenue"], counts["currency"], counts["sales_in_other_currencies"]) == (
        Decimal("160.00"),
        "EUR",
        1,
    )
    assert "1 sale in another currency not counted" in page.content.decode()


def test_money_reads_the_same_on_the_customer_page_and_the_overview_and_refunds_say_so(
    owner_client: Client, org: Organization
) -> None:
    # Given a purchase of 1 249,90 € and a refund of 15 €
    customer = CustomerFactory.create(organization=org)
    TransactionFactory.create(customer=customer, amount=Decimal("1249.90"), external_id="T1")
    TransactionFactory.create(customer=customer, amount=Decimal("-15.00"), external_id="T2")
    # When a French reader opens the customer page and the overview
    detail = owner_client.get(
        reverse("customers:customer_detail", args=[customer.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    overview = owner_client.get(reverse("customers:overview"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    # Then both write money the French way, and the refund is called a refund
    assert "1\N{NO-BREAK SPACE}249,90\N{NO-BREAK SPACE}€" in detail
    assert "\N{MINUS SIGN}15,00\N{NO-BREAK SPACE}€" in detail
    assert "Remboursement" in detail
    assert "EUR" not in detail
    assert "1\N{NO-BREAK SPACE}235\N{NO-BREAK SPACE}€" in overview
