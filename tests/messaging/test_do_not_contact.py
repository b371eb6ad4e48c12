"""The do-not-contact switch of the customer page: for members whose role may change it, stored as a
suppression that every later message is checked against, within the organization only."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import Membership, Organization, Role
from ecoute.customers.models import Customer
from ecoute.messaging.models import Suppression
from tests.conftest import member_client
from tests.factories import CustomerFactory, MembershipFactory


def _page(client: Client, customer: Customer) -> str:
    response = client.get(reverse("customers:customer_detail", args=[customer.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _switch(client: Client, customer: Customer, state: str) -> int:
    url = reverse("messaging:do_not_contact", args=[customer.pk])
    return client.post(url, {"do_not_contact": state}).status_code


def test_an_owner_switches_do_not_contact_on_and_off_from_the_customer_page(
    customer: Customer, owner: Membership, owner_client: Client
) -> None:
    # Given the page of a customer who may be contacted
    assert "Ne plus contacter ce client" in _page(owner_client, customer)
    # When the owner switches do-not-contact on
    assert _switch(owner_client, customer, "on") == 302
    # Then it is stored as an active suppression, by whom, and shown on the page
    suppression = Suppression.objects.get()
    assert (suppression.customer, suppression.reason, suppression.created_by) == (
        customer,
        "do_not_contact",
        owner.user,
    )
    page = _page(owner_client, customer)
    assert "Aucun e-mail n’est envoyé à ce client" in page
    assert "Autoriser à nouveau le contact" in page
    # And switching it on again changes nothing
    assert _switch(owner_client, customer, "on") == 302
    assert Suppression.objects.count() == 1
    # When it is switched off, the suppression is lifted but kept
    assert _switch(owner_client, customer, "off") == 302
    suppression.refresh_from_db()
    assert (suppression.lifted_at is not None, suppression.lifted_by) == (True, owner.user)
    assert "Ne plus contacter ce client" in _page(owner_client, customer)


def test_an_analyst_may_switch_it(customer: Customer, org: Organization) -> None:
    analyst = member_client(MembershipFactory.create(organization=org, role=Role.ANALYST))
    assert _switch(analyst, customer, "on") == 302
    assert Suppression.objects.active().count() == 1


@pytest.mark.parametrize("role", [Role.AGENT, Role.VIEWER])
def test_a_role_without_the_right_cannot_switch_it(customer: Customer, org: Organization, role: str) -> None:
    client = member_client(MembershipFactory.create(organization=org, role=role))
    assert _switch(client, customer, "on") == 403
    assert not Suppression.objects.exists()


def test_another_organizations_customer_answers_404(owner_client: Client, other_org: Organization) -> None:
    stranger = CustomerFactory.create(organization=other_org)
    assert _switch(owner_client, stranger, "on") == 404
    assert not Suppression.objects.exists()


def test_the_switch_needs_the_csrf_token_of_its_form(customer: Customer, owner: Membership) -> None:
    # Given a browser that checks CSRF tokens
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner.user)
    # When it posts without a token, it is refused
    assert _switch(browser, customer, "on") == 403
    assert not Suppression.objects.exists()
    # When it posts the form of the page, with its token, it is switched
    form = _page(browser, customer).split('id="do-not-contact"')[1]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token is not None
    url = reverse("messaging:do_not_contact", args=[customer.pk])
    assert (
        browser.post(url, {"do_not_contact": "on", "csrfmiddlewaretoken": token.group(1)}).status_code == 302
    )
    assert Suppression.objects.active().count() == 1


def test_the_switch_is_a_post(customer: Customer, owner_client: Client) -> None:
    response = owner_client.get(reverse("messaging:do_not_contact", args=[customer.pk]))
    assert response.status_code == 405


def test_the_customer_page_says_when_their_address_bounced(customer: Customer, owner_client: Client) -> None:
    Suppression.objects.create(
        organization=customer.organization,
        address=customer.email,
        reason="hard_bounce",
        detail="550 5.1.1 <script>No such user</script>",
    )
    page = _page(owner_client, customer)
    assert "Rejet définitif" in page
    assert "Plus aucun e-mail n’est envoyé à cette adresse" in page
    assert "550 5.1.1 &lt;script&gt;No such user&lt;/script&gt;" in page
