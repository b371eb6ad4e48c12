"""The organization edits its retention rules on a page: checked, scoped, in the reader's language."""

import pytest
from django.test import Client

from ecoute.accounts.models import Membership, Organization, Role
from ecoute.retention.models import RetentionRules
from tests.conftest import member_client
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

VALID = {
    "lost_gap_multiple": "2,5",
    "lost_min_days": "120",
    "at_risk_gap_multiple": "1,5",
    "at_risk_min_days": "60",
    "new_days": "45",
    "lost_p_alive": "0,25",
}


def test_the_page_shows_the_default_rules_before_any_are_saved(owner_client: Client) -> None:
    # When an owner opens the rules of an organization that has none yet
    response = owner_client.get("/retention/rules/")

    # Then the form shows the defaults of the design (3 median gaps, at least 180 days)
    assert response.status_code == 200
    assert 'name="lost_min_days" value="180"' in response.text
    assert 'name="lost_gap_multiple" value="3"' in response.text


def test_saved_rules_belong_to_the_organization(
    owner_client: Client, owner: Membership, other_org: Organization
) -> None:
    # Given rules of another organization
    RetentionRules.objects.create(organization=other_org, lost_min_days=365, at_risk_min_days=200)

    # When an owner saves rules written with French decimals
    response = owner_client.post("/retention/rules/", VALID)

    # Then they are ours, and the other organization's are untouched
    assert response.status_code == 302
    ours = RetentionRules.objects.get(organization=owner.organization)
    assert (str(ours.lost_gap_multiple), ours.lost_min_days, str(ours.lost_p_alive)) == ("2.5", 120, "0.25")
    assert RetentionRules.objects.get(organization=other_org).lost_min_days == 365


def test_inconsistent_rules_are_refused_with_a_message_in_french(
    owner_client: Client, owner: Membership
) -> None:
    # When an owner sets "at risk" after "lost", and a minimum under 30 days
    response = owner_client.post("/retention/rules/", {**VALID, "at_risk_min_days": "150", "new_days": "3"})

    # Then nothing is saved and each field says why, in French
    assert response.status_code == 400
    assert "Un client doit être à risque avant d’être perdu" in response.text
    assert "supérieure ou égale à 7" in response.text
    assert not RetentionRules.objects.filter(organization=owner.organization).exists()


def test_inconsistent_rules_are_refused_in_english_for_an_english_reader(owner_client: Client) -> None:
    # When an English reader sets "at risk" after "lost"
    response = owner_client.post(
        "/retention/rules/",
        {**VALID, "lost_gap_multiple": "2.5", "at_risk_gap_multiple": "4", "lost_p_alive": "0.25"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    # Then the message is in English
    assert response.status_code == 400
    assert "A customer must be at risk before being lost: fewer median gaps." in response.text


def test_viewers_cannot_change_the_rules(org: Organization) -> None:
    # Given a viewer
    viewer = MembershipFactory.create(organization=org, role=Role.VIEWER, user__email="viewer@maison.fr")

    # When they post rules, then they are refused and nothing is saved
    response = member_client(viewer).post("/retention/rules/", VALID)
    assert response.status_code == 403
    assert not RetentionRules.objects.exists()
