"""The customer page says, in one sentence, how the customer buys and how likely they are still active,
beside their status, P(alive), expected purchases and CLV with their intervals."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.test import Client

from ecoute.accounts.models import Organization
from ecoute.retention.models import ActivityStatus, CustomerScore, CustomerStatus
from tests.retention.purchases import customer_buying

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=True)
def test_the_customer_page_tells_a_manager_the_customers_outlook(
    owner_client: Client, org: Organization
) -> None:
    # Given a customer who bought six times, last in March, scored 18 % likely to be active
    customer = customer_buying(
        org,
        *[date(2025, 10 + month, 10) for month in range(3)],
        *[date(2026, month, 10) for month in (1, 2, 3)],
    )
    CustomerStatus.objects.create(
        organization=org,
        customer=customer,
        status=ActivityStatus.AT_RISK,
        lost_after_days=180,
        computed_at=NOW,
    )
    CustomerScore.objects.create(
        organization=org, customer=customer, frequency=5, recency_days=151, age_days=278, monetary=50,
        p_alive=0.18, p_alive_low=0.09, p_alive_high=0.31, expected_purchases=0.74,
        expected_purchases_low=0.4, expected_purchases_high=1.2, clv=36.5, clv_low=20, clv_high=61.25,
        status=ActivityStatus.AT_RISK, computed_at=NOW,
    )  # fmt: skip

    # When the owner opens the customer's page in French, then in English
    french = owner_client.get(f"/customers/{customer.pk}/").text
    english = owner_client.get(f"/customers/{customer.pk}/", HTTP_ACCEPT_LANGUAGE="en").text

    # Then one sentence says it, with each figure and its interval
    assert "A acheté 6 fois, la dernière en mars\xa0; 18,0\xa0% de chances d’être encore actif." in french
    assert "À risque" in french
    assert "Intervalle à 95\xa0%\xa0: 9,0\xa0% à 31,0\xa0%" in french
    assert "37\xa0€" in french
    assert "20\xa0€ à 61\xa0€" in french
    assert "Bought 6 times, last in March; 18.0% chance still active." in english


def test_a_customer_who_never_bought_has_no_outlook(owner_client: Client, org: Organization) -> None:
    # Given a customer without purchases, when the page opens, then it has no retention card
    customer = customer_buying(org)
    response = owner_client.get(f"/customers/{customer.pk}/")
    assert response.status_code == 200
    assert 'id="retention"' not in response.text


def test_another_organizations_customer_stays_hidden(owner_client: Client, other_org: Organization) -> None:
    # Given a scored customer of another organization, when the owner asks for it, then 404
    customer = customer_buying(other_org, date(2026, 3, 1))
    assert owner_client.get(f"/customers/{customer.pk}/").status_code == 404
