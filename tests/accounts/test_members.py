"""Owners and admins manage the members of their organization; others cannot."""

import pytest
from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import Membership, Organization, Role, User
from tests.conftest import member_client
from tests.factories import MembershipFactory


def test_an_owner_changes_a_role_and_removes_a_member(owner_client: Client, org: Organization) -> None:
    member = MembershipFactory.create(organization=org, role=Role.VIEWER)
    owner_client.post(reverse("accounts:member_update", args=[member.pk]), {"role": Role.AGENT})
    member.refresh_from_db()
    assert member.role == Role.AGENT
    owner_client.post(reverse("accounts:member_update", args=[member.pk]), {"remove": "1"})
    assert not Membership.objects.filter(pk=member.pk).exists()


def test_the_last_owner_cannot_be_demoted(owner_client: Client, owner: Membership) -> None:
    response = owner_client.post(
        reverse("accounts:member_update", args=[owner.pk]), {"role": Role.VIEWER}, follow=True
    )
    owner.refresh_from_db()
    assert owner.role == Role.OWNER
    assert response.status_code == 200


@pytest.mark.parametrize("role", [Role.ANALYST, Role.AGENT, Role.VIEWER])
def test_members_without_the_right_cannot_manage_members(org: Organization, role: str) -> None:
    client = member_client(MembershipFactory.create(organization=org, role=role))
    assert client.get(reverse("accounts:members")).status_code == 403
    response = client.post(reverse("accounts:members"), {"email": "x@example.fr", "role": Role.OWNER})
    assert response.status_code == 403
    assert not User.objects.filter(email="x@example.fr").exists()


def test_a_person_in_two_organizations_switches_between_them(
    owner: Membership, other_org: Organization
) -> None:
    MembershipFactory.create(user=owner.user, organization=other_org, role=Role.VIEWER)
    client = member_client(owner)
    client.post(reverse("accounts:switch_organization"), {"organization": other_org.slug})
    page = client.get(reverse("customers:overview"))
    assert page.context["organization"] == other_org
    # and cannot switch into an organization they do not belong to
    stranger = Organization.objects.create(slug="stranger", name="Stranger")
    assert (
        client.post(reverse("accounts:switch_organization"), {"organization": stranger.slug}).status_code
        == 404
    )


def test_the_language_choice_is_remembered_for_the_person(owner: Membership) -> None:
    client = member_client(owner)
    client.post(reverse("accounts:set_language"), {"language": "en", "next": "/overview/"})
    owner.user.refresh_from_db()
    assert owner.user.language == "en"
    # On another browser, logging in brings the choice back
    browser = Client()
    browser.post(
        reverse("accounts:login"), {"email": owner.user.email, "password": "correct-horse-battery-staple"}
    )
    assert "Customers" in browser.get(reverse("customers:overview")).content.decode()
