"""The customer page says, in one sentence, how the customer buys and how likely they are still active,
beside their status, P(alive), expected purchases and CLV with their intervals."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.test import Client
from django.utils import formats, translation
from django.utils.translation import gettext as _

from ecoute.accounts.models import Organization
from ecoute.retention.customer_outlook import chance, purchase_history
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
    assert "A acheté 6 fois, la dernière en mars\xa0; 18\xa0% de chances d’être encore actif." in french
    assert "À risque" in french
    assert "Intervalle à 95\xa0%\xa0: 9,0\xa0% à 31,0\xa0%" in french
    assert "37\xa0€" in french
    assert "20\xa0€ à 61\xa0€" in french
    assert "Bought 6 times, last in March; 18% chance still active." in english


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


@pytest.mark.parametrize(
    ("language", "count", "p_alive", "sentence"),
    [
        ("fr", 1, 0.5, "A acheté une fois, en mars\xa0; 50\xa0% de chances d’être encore actif."),
        ("en", 1, 0.5, "Bought once, in March; 50% chance still active."),
        (
            "fr",
            2,
            0.004,
            "A acheté 2 fois, la dernière en mars\xa0; moins de 1\xa0% de chances d’être encore actif.",
        ),
        ("en", 2, 0.004, "Bought 2 times, last in March; less than 1% chance still active."),
        (
            "fr",
            3,
            0.999,
            "A acheté 3 fois, la dernière en mars\xa0; plus de 99\xa0% de chances d’être encore actif.",
        ),
        ("en", 1_234, 0.125, "Bought 1,234 times, last in March; 13% chance still active."),
        (
            "fr",
            1_234,
            0.125,
            "A acheté 1\xa0234 fois, la dernière en mars\xa0; 13\xa0% de chances d’être encore actif.",
        ),
    ],
)
def test_the_sentence_counts_purchases_and_chances_in_each_language(
    language: str, count: int, p_alive: float, sentence: str
) -> None:
    # Given a customer's purchases, last in March, and their chance of being active
    with translation.override(language):
        # When the sentence is written, then its plural, numbers and month follow the language
        written = _("%(history)s; %(chance)s chance still active") % {
            "history": purchase_history(count, _month(date(2026, 3, 10))),
            "chance": chance(p_alive),
        }
    assert written + "." == sentence


def _month(day: date) -> str:
    return formats.date_format(day, "F")


@time_machine.travel(NOW, tick=True)
def test_a_purchase_of_another_year_names_its_year(owner_client: Client, org: Organization) -> None:
    # Given a customer who bought once, in March 2025
    customer = customer_buying(org, date(2025, 3, 10))
    # When the page opens in French, then the sentence says the year
    assert "A acheté une fois, en mars 2025." in owner_client.get(f"/customers/{customer.pk}/").text
