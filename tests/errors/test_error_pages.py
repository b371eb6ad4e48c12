"""Every error a person can meet is the product's page in their language; the API answers JSON."""

import pytest
from django.test import Client

from ecoute.accounts.models import ApiKey, Membership, Organization
from ecoute.customers.models import Customer
from tests.conftest import member_client
from tests.factories import MembershipFactory

STYLED = 'href="/static/ecoute/app.css"'


@pytest.mark.parametrize("path", ["/nowhere/", "/customers/999999/", "/imports/999999/mapping/"])
def test_a_page_not_found_is_the_product_page_in_the_reader_language(owner_client: Client, path: str) -> None:
    # When a member follows a link to nothing
    response = owner_client.get(path, HTTP_ACCEPT_LANGUAGE="fr")

    # Then the page is the product's, styled, in French, with a way back
    assert response.status_code == 404
    html = response.content.decode()
    assert STYLED in html
    assert '<html lang="fr">' in html
    assert "Page introuvable" in html
    assert 'href="/overview/"' in html


def test_another_organizations_customer_is_the_same_page_not_found(
    owner_client: Client, other_org: Organization
) -> None:
    # Given a customer of another organization
    theirs = Customer.objects.create(organization=other_org, external_id="C1")

    # When a member of the first one asks for it by id
    response = owner_client.get(f"/customers/{theirs.pk}/", HTTP_ACCEPT_LANGUAGE="en")

    # Then the answer is the product's page not found, which says nothing of the other organization
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_a_forbidden_page_is_the_product_page(owner: Membership, org: Organization) -> None:
    # Given a viewer, who may not import
    viewer = MembershipFactory.create(organization=org, role="viewer", user__email="v@maison.fr")

    # When they open the import page
    response = member_client(viewer).get("/imports/new/", HTTP_ACCEPT_LANGUAGE="fr")

    # Then the page is the product's, in French, saying why
    assert response.status_code == 403
    html = response.content.decode()
    assert "Votre rôle dans cette organisation" in html
    assert STYLED in html
    assert '<html lang="fr">' in html


def test_a_form_sent_without_its_csrf_cookie_says_what_to_do(owner: Membership) -> None:
    # Given a browser that lost its cookies
    browser = Client(enforce_csrf_checks=True)

    # When it sends the login form
    response = browser.post(
        "/accounts/login/", {"email": "a@b.fr", "password": "x"}, HTTP_ACCEPT_LANGUAGE="fr"
    )

    # Then the product's page says, in French, to reload and try again
    assert response.status_code == 403
    html = response.content.decode()
    assert STYLED in html
    assert '<html lang="fr">' in html
    assert "Rechargez la page" in html


@pytest.mark.urls("tests.errors.urls")
def test_a_server_error_is_the_product_page_in_the_reader_language(db: None) -> None:
    # When a page fails with a bug
    response = Client(raise_request_exception=False).get("/failing/", HTTP_ACCEPT_LANGUAGE="fr")

    # Then the reader sees the product's page, in French, saying the fault is ours
    assert response.status_code == 500
    html = response.content.decode()
    assert STYLED in html
    assert '<html lang="fr">' in html
    assert "Erreur du serveur" in html


@pytest.mark.urls("tests.errors.urls")
def test_an_api_server_error_answers_json(db: None) -> None:
    response = Client(raise_request_exception=False).get("/api/v1/failing", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 500
    assert response.json() == {"detail": "Server error: the request was not completed.", "problems": []}


@pytest.mark.parametrize("path", ["/api/v1/nowhere", "/api/v1/customers/a/b/c/", "/api/v2/customers"])
def test_an_unknown_api_address_answers_json_404(org: Organization, path: str) -> None:
    _key, secret = ApiKey.issue(org, "CRM")
    response = Client().get(path, HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 404
    assert response.json() == {"detail": "Introuvable.", "problems": []}


@pytest.mark.parametrize("authorization", [None, "Bearer ek_wrong", "Basic eDp5"])
def test_an_api_request_without_a_valid_key_answers_401_in_the_client_language(
    db: None, authorization: str | None
) -> None:
    # When a client calls the API without a valid key
    headers = {"Accept-Language": "fr"} | ({"Authorization": authorization} if authorization else {})
    response = Client().get("/api/v1/customers", headers=headers)

    # Then it is told, in its language, how to authenticate
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json() == {
        "detail": "Une clé d’API valide est requise\xa0: Authorization: Bearer ek_…",
        "problems": [],
    }


def test_an_api_request_for_an_unknown_host_answers_json(org: Organization) -> None:
    # When a client calls the API through a host name the server does not serve
    response = Client().get(
        "/api/v1/customers", headers={"Host": "attacker.example", "Accept-Language": "en"}
    )

    # Then the refusal is the API's JSON, not a web page
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request could not be understood.",
        "problems": [],
    }


@pytest.mark.parametrize("path", ["/accounts/logout/", "/accounts/language/", "/imports/1/run/"])
def test_a_button_address_opened_directly_is_the_product_page(owner_client: Client, path: str) -> None:
    # When a member opens the address of a button (log out, change language, run an import) directly
    response = owner_client.get(path, HTTP_ACCEPT_LANGUAGE="fr")

    # Then the page is the product's, in French, telling them to use the button
    assert response.status_code == 405
    html = response.content.decode()
    assert STYLED in html
    assert '<html lang="fr">' in html
    assert "Revenez en arrière et utilisez le bouton." in html
