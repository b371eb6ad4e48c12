"""An analyst builds a survey and watches the preview follow the form, at a computer's and a phone's width."""

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from ecoute.accounts.models import Membership
from ecoute.listening.actions import ensure_listening_defaults
from ecoute.listening.models import Survey
from tests.chromium import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_analyst_builds_a_survey_and_the_preview_follows_at_both_widths(
    browser: Browser, live_server: LiveServer, owner: Membership
) -> None:
    # Given an owner at a computer's width
    ensure_listening_defaults(owner.organization)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server.url, owner.user.email)

    # When they create a survey from nothing through the navigation
    page.get_by_role("link", name="Enquêtes").click()
    page.get_by_role("link", name="Nouvelle enquête").click()
    page.get_by_label("Nom").fill("Après la visite en magasin")
    page.get_by_role("button", name="Créer l’enquête").click()
    expect(page.get_by_text("L’enquête «\xa0Après la visite en magasin\xa0» est créée.")).to_be_visible()

    # And add a question, typing its text
    page.get_by_role("link", name="Ajouter une question").click()
    preview = page.locator("#preview-screen")
    page.get_by_label("Code").fill("welcome")
    page.get_by_label("Type").select_option("choice")
    page.get_by_label("Texte (français)").fill("Comment {first_name|vous} a-t-on accueilli ?")
    page.get_by_label("Options").fill("warm | Chaleureusement\ncold | Froidement")
    # Then the preview shows it, personalised for the example customer, without being saved
    expect(preview.get_by_text("Comment Camille a-t-on accueilli ?")).to_be_visible()
    expect(preview.get_by_text("Froidement")).to_be_visible()
    assert preview.bounding_box()["width"] > 560  # type: ignore[index]
    screenshot(page, "survey-builder-desktop")

    # When they switch the preview to a phone's width and change the text again
    page.get_by_text("Téléphone (390\xa0px)").click()
    page.get_by_label("Texte (français)").fill("Comment {first_name|vous} a-t-on reçu ?")
    # Then the preview is 390 px wide and follows the form
    expect(preview.get_by_text("Comment Camille a-t-on reçu ?")).to_be_visible()
    assert round(preview.bounding_box()["width"]) == 390  # type: ignore[index]
    screenshot(page, "survey-builder-phone-preview")

    # And saving, once the English text required by the survey's languages is there, lists the question
    page.get_by_role("button", name="Enregistrer").click()
    expect(
        page.get_by_text("le texte en «\xa0en\xa0», une langue de l’enquête, est manquant")
    ).to_be_visible()
    page.get_by_label("Texte (anglais)").fill("How were you welcomed, {first_name|}?")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("La question «\xa0welcome\xa0» est enregistrée.")).to_be_visible()
    screenshot(page, "survey-detail")
    survey = Survey.objects.get(organization=owner.organization)
    assert list(survey.questions.values_list("code", flat=True)) == ["recommend", "welcome"]

    # When the same page is used on a phone
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("link", name="Comment {first_name|vous} a-t-on reçu ?").click()
    page.get_by_label("Texte (français)").fill("Comment nous avez-vous trouvés ?")
    # Then the preview follows there too, and nothing scrolls sideways
    expect(preview.get_by_text("Comment nous avez-vous trouvés ?")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    screenshot(page, "survey-builder-phone")
    context.close()
    # And the page broke no rule of the Content-Security-Policy and threw nothing (the one refused save
    # answers 400, which the browser reports)
    assert [e for e in errors if "status of 400" not in e] == [], errors
