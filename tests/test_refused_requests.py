"""Requests Django refuses before any view runs answer the product's page or JSON, never a blank page."""

from django.conf import settings
from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import ApiKey, Organization


def test_a_search_link_with_too_many_parameters_answers_the_same_page(owner_client: Client) -> None:
    query = "&".join(f"q{n}=x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = owner_client.get(f"{reverse('customers:customer_list')}?{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "The form sent more than 1,000 fields" in response.content.decode()


def test_an_api_request_with_too_many_parameters_answers_json(org: Organization) -> None:
    _key, secret = ApiKey.issue(org, "CRM")
    query = "&".join(f"q{n}=x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = Client().get(
        f"/api/v1/customers?{query}", HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "The request sends more than 1,000 parameters.", "problems": []}


def test_a_form_sending_more_data_than_allowed_answers_413_with_the_limit(
    client: Client, settings: object
) -> None:
    # Given a page accepting at most 10 KB of form data (a file upload is not counted)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000  # type: ignore[attr-defined]

    # When a login form is sent with 50 KB
    response = client.post(
        reverse("accounts:login"), {"email": "x" * 50_000, "password": "y"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    # Then the answer is 413, on the product's page, naming the limit
    assert response.status_code == 413
    html = response.content.decode()
    assert "The form sent more than 9.8\xa0KB of data." in html
    assert '<html lang="en">' in html


def test_a_request_for_an_unknown_host_answers_the_same_page(client: Client) -> None:
    response = client.get(reverse("accounts:login"), HTTP_HOST="attacker.example", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "The request could not be understood. Go back and try again." in response.content.decode()
