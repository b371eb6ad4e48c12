"""The overview covers the months its reader picks — the last 12 or 24 months, all time, or from one
month to another — in its charts and in the figures that depend on them, and says which months those
are; a period it cannot read falls back to the last 24 months and says so, never a server error."""

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import Organization
from tests.factories import CustomerFactory, InteractionFactory, LoyaltyActFactory, TransactionFactory

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
# (when, amount): an old sale, a sale at 00:30 on 1 December in Paris (still November in UTC), a recent
# sale and its partial refund.
SALES = [
    (datetime(2019, 1, 15, 10, 0, tzinfo=UTC), "80.00"),
    (datetime(2024, 11, 30, 23, 30, tzinfo=UTC), "200.00"),
    (datetime(2026, 2, 3, 9, 0, tzinfo=UTC), "123456789.00"),
    (datetime(2026, 2, 5, 9, 0, tzinfo=UTC), "-15.00"),
]


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def history(org: Organization, frozen: None) -> None:
    customer = CustomerFactory.create(organization=org)
    for number, (when, amount) in enumerate(SALES):
        TransactionFactory.create(
            customer=customer, external_id=f"T{number}", occurred_at=when, amount=Decimal(amount)
        )
    InteractionFactory.create(customer=customer, occurred_at=datetime(2019, 1, 20, tzinfo=UTC))
    LoyaltyActFactory.create(customer=customer, occurred_at=datetime(2026, 1, 20, tzinfo=UTC), rating=5)


def _overview(client: Client, language: str = "fr", **query: str) -> Any:
    response = client.get(reverse("customers:overview"), query, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response


def _months(response: Any) -> list[str]:
    labels: list[str] = response.context["transactions_chart"]["x"]
    assert response.context["revenue_chart"]["x"] == labels
    return labels


def _by_month(response: Any) -> dict[str, tuple[int, float]]:
    """Month → (purchases, revenue), for the months that had any sale."""
    counts = response.context["transactions_chart"]["series"][0]["data"]
    revenue = response.context["revenue_chart"]["series"][0]["data"]
    return {m: (c, r) for m, c, r in zip(_months(response), counts, revenue, strict=True) if c or r}


def test_without_a_period_the_overview_covers_the_last_24_months(owner_client: Client, history: None) -> None:
    # When the overview is opened with no period asked
    page = _overview(owner_client)
    # Then the charts run from April 2024 to March 2026, with the December sale and February's net revenue
    months = _months(page)
    assert (len(months), months[0], months[-1]) == (24, "avr. 2024", "mars 2026")
    assert _by_month(page) == {"déc. 2024": (1, 200.0), "fév. 2026": (1, 123456774.0)}
    # And the figures of those months say which months they cover; the 2019 contact is not among them
    counts = page.context["counts"]
    assert (counts["purchases"], counts["revenue"], counts["interactions"]) == (2, Decimal("123456974.00"), 0)
    assert counts["loyalty_acts"] == 1
    html = page.content.decode()
    assert html.count("avr. 2024 – mars 2026") >= 4
    assert "123\N{NO-BREAK SPACE}456\N{NO-BREAK SPACE}974\N{NO-BREAK SPACE}€" in html
    assert 'role="alert"' not in html


def test_all_time_starts_at_the_first_sale(owner_client: Client, history: None) -> None:
    page = _overview(owner_client, period="all")
    months = _months(page)
    # 2019 to 2026: January 2019 … March 2026
    assert (len(months), months[0], months[-1]) == (7 * 12 + 3, "jan. 2019", "mars 2026")
    assert _by_month(page)["jan. 2019"] == (1, 80.0)
    counts = page.context["counts"]
    assert (counts["purchases"], counts["interactions"]) == (3, 1)
    assert "jan. 2019 – mars 2026" in page.content.decode()


def test_the_last_12_months_leave_out_the_sales_before_them(owner_client: Client, history: None) -> None:
    page = _overview(owner_client, "en", period="12")
    months = _months(page)
    assert (len(months), months[0], months[-1]) == (12, "April 2025", "March 2026")
    assert _by_month(page) == {"Feb. 2026": (1, 123456774.0)}
    assert page.context["counts"]["purchases"] == 1
    assert "April 2025 – March 2026" in page.content.decode()


def test_a_range_of_months_covers_them_in_the_organization_time_zone(
    owner_client: Client, history: None
) -> None:
    # When the reader asks for December 2024 alone
    page = _overview(owner_client, period="range", start="2024-12", end="2024-12")
    # Then the sale made at 00:30 on 1 December in Paris is in it
    assert _months(page) == ["déc. 2024"]
    assert page.context["counts"]["purchases"] == 1
    # And from November 2018 to February 2019, four months hold the 2019 sale and contact
    page = _overview(owner_client, period="range", start="2018-11", end="2019-02")
    assert _months(page) == ["nov. 2018", "déc. 2018", "jan. 2019", "fév. 2019"]
    assert (page.context["counts"]["purchases"], page.context["counts"]["interactions"]) == (1, 1)
    assert "nov. 2018 – fév. 2019" in page.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"period": "forever"},
        {"period": "range"},
        {"period": "range", "start": "2024-13", "end": "2025-01"},
        {"period": "range", "start": "2025-06", "end": "2024-01"},
        {"period": "range", "start": "0000-01", "end": "9999-12"},
        {"period": "range", "start": "2024-01", "end": "x" * 5000},
        {"period": "range", "start": "2024-01\x00", "end": "2024-02"},
    ],
)
def test_a_period_that_cannot_be_read_falls_back_to_the_last_24_months_and_says_so(
    owner_client: Client, history: None, query: dict[str, str]
) -> None:
    page = _overview(owner_client, **query)
    months = _months(page)
    assert (len(months), months[0], months[-1]) == (24, "avr. 2024", "mars 2026")
    html = page.content.decode()
    if query.get("period") != "12":
        assert (
            "La période demandée n’a pas pu être lue\xa0: les chiffres couvrent avr. 2024 – mars 2026."
            in html
        )


def test_the_period_picker_offers_every_period_and_keeps_the_one_shown(
    owner_client: Client, history: None
) -> None:
    page = _overview(owner_client, period="range", start="2024-12", end="2025-02").content.decode()
    assert '<option value="range" selected>' in page
    assert 'type="month" name="start" value="2024-12"' in page
    for label in ("12 derniers mois", "24 derniers mois", "Depuis le début"):
        assert label in page
