"""Who may give which role: only owners make, change or remove owners; nobody changes a role by
adding a member again; agents see no customers until cases exist."""

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from ecoute.accounts.actions import MembershipError, change_role, remove_member
from ecoute.accounts.invitation_actions import invite
from ecoute.accounts.models import Invitation, Membership, Organization, Role
from tests.conftest import member_client
from tests.factories import CustomerFactory, MembershipFactory


def _messages(response: Any) -> list[str]:
    """The messages the response left for the next page, in the request's language."""
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def admin(org: Organization) -> Membership:
    return MembershipFactory.create(organization=org, role=Role.ADMIN, user__email="admin@maison.fr")


def test_an_admin_cannot_invite_someone_as_an_owner(admin: Membership, org: Organization) -> None:
    # Given an administrator
    client = member_client(admin)
    # When they invite a new person with the owner role
    client.post(reverse("accounts:members"), {"email": "ami@maison.fr", "role": Role.OWNER})
    # Then nobody is invited
    assert not Invitation.objects.exists()
    # And the action itself refuses, whatever form sends it
    with pytest.raises(MembershipError):
        invite(org, "ami@maison.fr", Role.OWNER, by=admin)
    assert not Invitation.objects.exists()


def test_an_admin_cannot_promote_a_member_to_owner(admin: Membership, org: Organization) -> None:
    # Given an administrator and a viewer
    viewer = MembershipFactory.create(organization=org, role=Role.VIEWER)
    # When the administrator makes the viewer an owner
    response = member_client(admin).post(
        reverse("accounts:member_update", args=[viewer.pk]), {"role": Role.OWNER}, HTTP_ACCEPT_LANGUAGE="en"
    )
    # Then the viewer stays a viewer, and the administrator is told why
    viewer.refresh_from_db()
    assert viewer.role == Role.VIEWER
    assert _messages(response) == ["Only an owner may make someone an owner."]


def test_an_admin_cannot_demote_or_remove_an_owner(admin: Membership, owner: Membership) -> None:
    # Given an administrator and an owner of the same organization, and a second owner
    MembershipFactory.create(organization=owner.organization, role=Role.OWNER)
    client = member_client(admin)
    # When the administrator demotes the owner, then removes them
    client.post(reverse("accounts:member_update", args=[owner.pk]), {"role": Role.VIEWER})
    client.post(reverse("accounts:member_update", args=[owner.pk]), {"remove": "1"})
    # Then the owner is still an owner
    owner.refresh_from_db()
    assert owner.role == Role.OWNER
    # And the actions refuse too
    with pytest.raises(MembershipError):
        change_role(owner, Role.VIEWER, by=admin)
    with pytest.raises(MembershipError):
        remove_member(owner, by=admin)
    assert Membership.objects.filter(pk=owner.pk, role=Role.OWNER).exists()


def test_an_admin_manages_the_other_roles_including_administrators(
    admin: Membership, org: Organization
) -> None:
    # Given an administrator, another administrator and an analyst
    other_admin = MembershipFactory.create(organization=org, role=Role.ADMIN)
    analyst = MembershipFactory.create(organization=org, role=Role.ANALYST)
    client = member_client(admin)
    # When the administrator makes the analyst an administrator and the other administrator an agent
    client.post(reverse("accounts:member_update", args=[analyst.pk]), {"role": Role.ADMIN})
    client.post(reverse("accounts:member_update", args=[other_admin.pk]), {"role": Role.AGENT})
    # Then both changes are made
    analyst.refresh_from_db()
    other_admin.refresh_from_db()
    assert (analyst.role, other_admin.role) == (Role.ADMIN, Role.AGENT)


def test_an_owner_makes_another_member_an_owner_then_steps_down(
    owner_client: Client, owner: Membership, org: Organization
) -> None:
    # Given an owner and an administrator
    admin = MembershipFactory.create(organization=org, role=Role.ADMIN)
    # When the owner makes the administrator an owner, then becomes an analyst
    owner_client.post(reverse("accounts:member_update", args=[admin.pk]), {"role": Role.OWNER})
    owner_client.post(reverse("accounts:member_update", args=[owner.pk]), {"role": Role.ANALYST})
    # Then the organization still has exactly one owner, the former administrator
    assert list(Membership.objects.filter(organization=org, role=Role.OWNER)) == [admin]


def test_adding_an_existing_member_again_keeps_their_role_and_says_where_to_change_it(
    owner_client: Client, owner: Membership
) -> None:
    # Given the only owner of an organization
    # When they add their own address again, as a viewer, in other capitals
    response = owner_client.post(
        reverse("accounts:members"),
        {"email": "Owner@Maison.fr", "role": Role.VIEWER},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    # Then they stay the owner, and the page says they are a member already
    owner.refresh_from_db()
    assert owner.role == Role.OWNER
    assert response.status_code == 200
    assert "owner@maison.fr is already a member: change their role in the list." in response.content.decode()


def test_the_members_page_offers_an_admin_neither_the_owner_role_nor_the_owners(
    admin: Membership, owner: Membership
) -> None:
    # When an administrator opens the members page
    page = member_client(admin).get(reverse("accounts:members"), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    # Then no form offers the owner role
    assert 'value="owner"' not in html
    # And the owner's row has neither a role menu nor a remove button
    assert f'id="role-{owner.pk}"' not in html
    assert reverse("accounts:member_update", args=[owner.pk]) not in html
    assert f'id="role-{admin.pk}"' in html


def test_the_members_page_offers_an_owner_every_role(owner_client: Client) -> None:
    # When an owner opens the members page
    page = owner_client.get(reverse("accounts:members"))
    # Then the invitation form and the owner's own row both offer the owner role
    assert page.content.decode().count('value="owner"') == 2


def test_agents_see_the_overview_but_no_customers_until_cases_exist(org: Organization) -> None:
    # Given an agent, in an organization with a customer
    customer = CustomerFactory.create(organization=org)
    client = member_client(MembershipFactory.create(organization=org, role=Role.AGENT))
    # When the agent opens the overview, the customer list and the customer's page
    overview = client.get(reverse("customers:overview"))
    # Then the overview opens, without a link to the customers
    assert overview.status_code == 200
    assert reverse("customers:customer_list") not in overview.content.decode()
    # And the customers stay closed
    assert client.get(reverse("customers:customer_list")).status_code == 403
    assert client.get(reverse("customers:customer_detail", args=[customer.pk])).status_code == 403
