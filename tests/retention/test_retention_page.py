"""The retention page shows statuses, churn with its n and trend, cohorts and revenue at stake, in the
reader's language."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.test import Client

from ecoute.accounts.models import Organization, Role
from ecoute.retention.statuses import recompute_statuses
from tests.conftest import member_client
from tests.factories import MembershipFactory
from tests.retention.purchases import customer_buying, every

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)


def shop(org: Organization) -> None:
    """Forty regular customers and twelve who bought once in December 2025 (lost on 14 June 2026)."""
    for index in range(40):
        customer_buying(org, *every(date(2025, 1, 1 + index % 28), 30, date(2026, 7, 10)), amount="1250.00")
    for _index in range(12):
        customer_buying(org, date(2025, 12, 15), amount="1234.50")
    recompute_statuses(org)


@time_machine.travel(NOW, tick=True)
def test_a_viewer_reads_churn_and_revenue_at_stake_in_french(org: Organization) -> None:
    # Given a shop, and a viewer
    shop(org)
    viewer = MembershipFactory.create(organization=org, role=Role.VIEWER, user__email="viewer@maison.fr")

    # When the viewer opens the retention page
    response = member_client(viewer).get("/retention/")

    # Then June 2026 shows 12 lost out of 52 active at its start, in French decimals, with its interval
    assert response.status_code == 200
    page = response.text
    assert "juin 2026" in page
    assert "23,1\xa0%" in page  # 12 / 52
    # And the twelve lost customers' revenue of the past year is at stake: 12 × 1 234,50 €
    assert "14\xa0814\xa0€" in page
    assert "par les 12 clients à risque ou perdus" in page
    # And the trend is said, and the rules are not offered to a viewer
    assert "Le taux de perte augmente" in page
    assert "/retention/rules/" not in page


@time_machine.travel(NOW, tick=True)
def test_an_english_reader_reads_english_numbers(owner_client: Client, org: Organization) -> None:
    # Given a shop
    shop(org)

    # When an English reader opens the page
    response = owner_client.get("/retention/", HTTP_ACCEPT_LANGUAGE="en")

    # Then numbers are written the English way
    assert "23.1%" in response.text
    assert "€14,814" in response.text
    assert "Jun 2026" in response.text or "June 2026" in response.text


def test_an_organization_without_purchases_sees_empty_tables(owner_client: Client) -> None:
    # When an organization with no purchase opens the page, then it shows without failing
    response = owner_client.get("/retention/")
    assert response.status_code == 200
    assert "Pas encore d’achat sur ces périodes." in response.text
