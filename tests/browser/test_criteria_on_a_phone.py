"""On a phone, an owner opens the criteria from the navigation and marks a key criterion."""

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from ecoute.accounts.models import Membership
from ecoute.listening.actions import ensure_listening_defaults
from ecoute.listening.models import Criterion
from tests.chromium import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_owner_edits_a_criterion_on_a_phone_without_sideways_scrolling(
    browser: Browser, live_server: LiveServer, owner: Membership
) -> None:
    # Given an owner on a phone, with the shipped criteria
    ensure_listening_defaults(owner.organization)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR", is_mobile=True)
    page = context.new_page()
    log_in(page, live_server.url, owner.user.email)

    # When they open the criteria from the navigation
    page.get_by_role("link", name="Critères").click()
    expect(page.get_by_role("heading", name="Critères de satisfaction")).to_be_visible()
    # Then the page fits the phone's width
    screenshot(page, "criteria-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1

    # And they edit one: its target in French decimals
    page.get_by_role("link", name="Livraison", exact=True).click()
    page.get_by_label("Note visée").fill("8,5")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Le critère «\xa0Livraison\xa0» est enregistré.")).to_be_visible()
    assert str(Criterion.objects.get(organization=owner.organization, code="delivery").target_score) == "8.5"
    context.close()
