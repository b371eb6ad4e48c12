"""API keys: made on the product's page, their secret shown once."""

from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import ApiKey, Membership, Organization, Role
from ecoute.lib.tokens import token_digest
from tests.conftest import member_client
from tests.factories import MembershipFactory


def test_a_new_key_is_shown_once_and_reloading_the_page_makes_no_other(
    owner_client: Client, org: Organization
) -> None:
    # When the owner creates a key
    response = owner_client.post(reverse("accounts:api_keys"), {"name": "CRM sync"})
    # Then they are sent back to the page, which shows the key once
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:api_keys")
    shown = owner_client.get(reverse("accounts:api_keys"))
    secret = shown.context["new_secret"]
    key = ApiKey.objects.get(organization=org)
    assert key.key_hash == token_digest(secret)
    assert secret in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    # And reloading the page shows it no more, and makes no other key
    again = owner_client.get(reverse("accounts:api_keys"))
    assert secret not in again.content.decode()
    assert ApiKey.objects.filter(organization=org).count() == 1


def test_a_key_without_a_name_is_refused_on_the_page(owner_client: Client, org: Organization) -> None:
    # When the owner creates a key without a name
    response = owner_client.post(reverse("accounts:api_keys"), {"name": ""})
    # Then the page shows the form again, and no key exists
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not ApiKey.objects.filter(organization=org).exists()


def test_a_new_key_is_not_shown_on_another_organizations_page(
    owner: Membership, org: Organization, other_org: Organization
) -> None:
    # Given an owner of two organizations who just created a key in the first
    MembershipFactory.create(user=owner.user, organization=other_org, role=Role.OWNER)
    client = member_client(owner)
    client.post(reverse("accounts:switch_organization"), {"organization": org.slug})
    client.post(reverse("accounts:api_keys"), {"name": "CRM sync"})
    # When they switch to the second organization before looking at the key
    client.post(reverse("accounts:switch_organization"), {"organization": other_org.slug})
    elsewhere = client.get(reverse("accounts:api_keys"))
    # Then its page does not show the key; the first organization's page still does, once
    assert elsewhere.context["new_secret"] is None
    client.post(reverse("accounts:switch_organization"), {"organization": org.slug})
    home = client.get(reverse("accounts:api_keys"))
    assert ApiKey.objects.get(organization=org).key_hash == token_digest(home.context["new_secret"])
