"""The Django admin is a support tool for staff, not the product: members who are not staff stay out."""

from django.test import Client

from ecoute.accounts.models import Membership
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
