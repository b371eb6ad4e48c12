"""API keys: made on the product's page, their secret shown once in the answer that creates them and
stored nowhere, with a scope."""

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import ApiKey, Organization
from ecoute.lib.tokens import token_digest


def test_a_new_key_is_shown_in_the_answer_that_creates_it_and_stored_nowhere_in_clear(
    owner_client: Client, org: Organization
) -> None:
    # When the owner creates a key
    response = owner_client.post(reverse("accounts:api_keys"), {"name": "CRM sync", "scope": "read"})
    # Then the answer itself shows the key, and may not be stored by the browser
    assert response.status_code == 200
    secret = response.context["new_secret"]
    assert secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    key = ApiKey.objects.get(organization=org)
    assert key.key_hash == token_digest(secret)
    # And no session keeps it
    assert not any(secret in str(session.get_decoded()) for session in Session.objects.all())
    assert not any(secret in session.session_data for session in Session.objects.all())
    # And the page shows it no more
    assert secret not in owner_client.get(reverse("accounts:api_keys")).content.decode()
    assert ApiKey.objects.filter(organization=org).count() == 1


def test_a_key_reads_only_unless_chosen_otherwise(owner_client: Client, org: Organization) -> None:
    # When the owner opens the page, then creates a key with the scope offered and one that writes
    page = owner_client.get(reverse("accounts:api_keys"))
    assert page.context["form"]["scope"].value() == "read"
    owner_client.post(reverse("accounts:api_keys"), {"name": "Dashboards", "scope": "read"})
    owner_client.post(reverse("accounts:api_keys"), {"name": "CRM sync", "scope": "read_write"})
    # Then each key has its scope, which the list shows
    assert dict(ApiKey.objects.values_list("name", "scope")) == {
        "Dashboards": "read",
        "CRM sync": "read_write",
    }
    listing = owner_client.get(reverse("accounts:api_keys"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Read and write" in listing
    assert "Read only" in listing


def test_a_key_without_a_name_is_refused_on_the_page(owner_client: Client, org: Organization) -> None:
    # When the owner creates a key without a name
    response = owner_client.post(reverse("accounts:api_keys"), {"name": "", "scope": "read"})
    # Then the page shows the form again, and no key exists
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["new_secret"] is None
    assert not ApiKey.objects.filter(organization=org).exists()
