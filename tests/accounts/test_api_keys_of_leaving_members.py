"""API keys do not outlive their maker's right to them: removing a member, or lowering their role below
one that manages keys, revokes their keys unless the owner explicitly keeps them."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from ecoute.accounts.actions import remove_member
from ecoute.accounts.models import ApiKey, Membership, Organization, Role
from tests.conftest import member_client
from tests.factories import MembershipFactory


@pytest.fixture
def admin(org: Organization) -> Membership:
    return MembershipFactory.create(organization=org, role=Role.ADMIN, user__email="admin@maison.fr")


@pytest.fixture
def admins_key(admin: Membership) -> str:
    """A key the administrator made, with its secret."""
    _key, secret = ApiKey.issue(admin.organization, "Till sync", created_by=admin.user, scope="read")
    return secret


def _api_status(secret: str) -> int:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/customers").status_code


def test_removing_a_member_with_keys_first_lists_them_and_removes_nothing(
    owner_client: Client, admin: Membership, admins_key: str
) -> None:
    # When the owner removes an administrator who made a key
    response = owner_client.post(
        reverse("accounts:member_update", args=[admin.pk]), {"remove": "1"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    # Then a confirmation lists the key, and nothing changed yet
    assert response.status_code == 200
    assert "Till sync" in response.content.decode()
    assert Membership.objects.filter(pk=admin.pk).exists()
    assert _api_status(admins_key) == 200


def test_the_owner_removes_the_member_and_revokes_their_keys(
    owner_client: Client, admin: Membership, admins_key: str
) -> None:
    # When the owner confirms the removal, revoking the keys
    owner_client.post(
        reverse("accounts:member_update", args=[admin.pk]), {"remove": "1", "api_keys": "revoke"}
    )
    # Then the member is gone, and so is their key's access
    assert not Membership.objects.filter(pk=admin.pk).exists()
    assert ApiKey.objects.get().revoked_at is not None
    assert _api_status(admins_key) == 401


def test_the_owner_removes_the_member_and_keeps_their_keys_under_their_own_name(
    owner_client: Client, owner: Membership, admin: Membership, admins_key: str
) -> None:
    # When the owner confirms the removal, keeping the keys
    owner_client.post(reverse("accounts:member_update", args=[admin.pk]), {"remove": "1", "api_keys": "keep"})
    # Then the member is gone, and the key works on, now the owner's responsibility
    assert not Membership.objects.filter(pk=admin.pk).exists()
    assert ApiKey.objects.get().created_by == owner.user
    assert _api_status(admins_key) == 200


def test_lowering_a_role_below_managing_keys_asks_too(
    owner_client: Client, admin: Membership, admins_key: str
) -> None:
    # When the owner makes the administrator an analyst
    url = reverse("accounts:member_update", args=[admin.pk])
    asked = owner_client.post(url, {"role": Role.ANALYST})
    # Then they are asked first, then the change revokes the key
    assert asked.status_code == 200
    assert "Till sync" in asked.content.decode()
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN
    owner_client.post(url, {"role": Role.ANALYST, "api_keys": "revoke"})
    admin.refresh_from_db()
    assert admin.role == Role.ANALYST
    assert _api_status(admins_key) == 401


def test_a_role_that_still_manages_keys_or_a_member_without_keys_is_changed_at_once(
    owner_client: Client, org: Organization, admin: Membership, admins_key: str
) -> None:
    # When the owner makes the administrator an owner, and removes an analyst who made no key
    analyst = MembershipFactory.create(organization=org, role=Role.ANALYST)
    promoted = owner_client.post(reverse("accounts:member_update", args=[admin.pk]), {"role": Role.OWNER})
    removed = owner_client.post(reverse("accounts:member_update", args=[analyst.pk]), {"remove": "1"})
    # Then both are done without a question, and the key works on
    assert (promoted.status_code, removed.status_code) == (302, 302)
    admin.refresh_from_db()
    assert admin.role == Role.OWNER
    assert not Membership.objects.filter(pk=analyst.pk).exists()
    assert _api_status(admins_key) == 200


def test_removing_a_member_without_a_choice_revokes_their_keys(
    owner: Membership, admin: Membership, admins_key: str
) -> None:
    # When a member is removed by any other way than the page's question
    remove_member(admin, by=owner)
    # Then their keys are revoked
    assert _api_status(admins_key) == 401


def test_a_key_stops_working_as_soon_as_its_maker_may_no_longer_manage_keys(
    admin: Membership, admins_key: str
) -> None:
    # Given a key whose maker loses the right behind the product's back (support admin, database)
    Membership.objects.filter(pk=admin.pk).update(role=Role.VIEWER)
    # Then the key no longer works
    assert _api_status(admins_key) == 401
    # Nor does it when the maker, an administrator again, has their account deactivated
    Membership.objects.filter(pk=admin.pk).update(role=Role.ADMIN)
    assert _api_status(admins_key) == 200
    admin.user.is_active = False
    admin.user.save()
    assert _api_status(admins_key) == 401


def test_the_user_command_revokes_the_keys_of_a_member_it_demotes(admin: Membership, admins_key: str) -> None:
    # When the operator makes the administrator a viewer
    out = StringIO()
    call_command(
        "user", "create", admin.user.email, "--org", admin.organization.slug, "--role", "viewer", stdout=out
    )
    # Then their key is revoked, and the command says so
    assert _api_status(admins_key) == 401
    assert "1" in out.getvalue().splitlines()[-1]


def test_an_admin_cannot_see_the_keys_of_an_owner_they_may_not_remove(
    owner: Membership, admin: Membership
) -> None:
    # Given an owner who made a key
    ApiKey.issue(owner.organization, "Owner's key", created_by=owner.user)
    # When an administrator tries to remove the owner
    response = member_client(admin).post(reverse("accounts:member_update", args=[owner.pk]), {"remove": "1"})
    # Then they are refused as before, without a question about the keys
    assert response.status_code == 302
    assert Membership.objects.filter(pk=owner.pk).exists()


def test_deleting_an_account_in_the_support_admin_revokes_its_keys(
    owner: Membership, admin: Membership, admins_key: str
) -> None:
    # Given a superuser in the support admin
    owner.user.is_staff = owner.user.is_superuser = True
    owner.user.save()
    client = Client()
    client.force_login(owner.user)
    # When they delete the administrator's account
    client.post(f"/admin/accounts/user/{admin.user.pk}/delete/", {"post": "yes"})
    # Then the account is gone, and its key with it
    assert not Membership.objects.filter(pk=admin.pk).exists()
    assert _api_status(admins_key) == 401
