"""The Django admin is a support tool for staff, not the product: members who are not staff stay out."""

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from ecoute.accounts.models import Membership, User
from tests.conftest import member_client
from tests.factories import CustomerFactory


def test_an_owner_who_is_not_staff_cannot_open_the_support_admin(owner: Membership) -> None:
    response = member_client(owner).get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_open_the_support_admin_and_its_customer_list(owner: Membership) -> None:
    owner.user.is_staff = owner.user.is_superuser = True
    owner.user.save()
    CustomerFactory.create(organization=owner.organization, external_id="ADM-1")
    client: Client = member_client(owner)
    assert client.get("/admin/").status_code == 200
    page = client.get("/admin/customers/customer/")
    assert page.status_code == 200
    assert "ADM-1" in page.content.decode()


def _staff_client(owner: Membership) -> Client:
    owner.user.is_staff = owner.user.is_superuser = True
    owner.user.save()
    return member_client(owner)


def test_the_support_admin_does_not_add_api_keys(owner: Membership) -> None:
    # Given a staff member in the support admin
    client = _staff_client(owner)
    # When they try to add an API key there
    response = client.get("/admin/accounts/apikey/add/")
    # Then the admin refuses: keys are made, with their secret, on the product's page
    assert response.status_code == 403
    assert "/admin/accounts/apikey/add/" not in client.get("/admin/accounts/apikey/").content.decode()


def test_the_support_admin_refuses_an_address_that_differs_only_by_capitals(owner: Membership) -> None:
    # Given a staff member, whose account is owner@maison.fr
    client = _staff_client(owner)
    new_account = {"password1": "Un-autre-compte-77", "password2": "Un-autre-compte-77"}
    # When they add an account for OWNER@Maison.fr, then one for New.Person@Maison.FR
    client.post("/admin/accounts/user/add/", {"email": "OWNER@Maison.fr", **new_account})
    client.post("/admin/accounts/user/add/", {"email": "New.Person@Maison.FR", **new_account})
    # Then the first is refused, and the second is stored in lower case
    assert sorted(User.objects.values_list("email", flat=True)) == ["new.person@maison.fr", "owner@maison.fr"]


def test_the_database_refuses_two_accounts_whose_addresses_differ_only_by_capitals(
    owner: Membership,
) -> None:
    # When an account for owner@maison.fr in capitals is saved without going through a form
    # Then the database refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        User(email="OWNER@MAISON.FR").save()
