"""Texts a company or a respondent writes may hold a word longer than a phone is wide (an address, a
reference): the answering pages wrap it rather than make the whole page scroll sideways."""

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from ecoute.accounts.models import Organization
from tests.chromium import PHONE, screenshot, watched_page
from tests.factories import CustomerFactory, SurveyFactory
from tests.listening.links import invitation_with_token, question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADDRESS = "https://www.maison-lumiere.example.fr/aide/commandes/suivi-de-livraison-et-retours-gratuits"
REFERENCE = "COMMANDE-" + "7" * 60


def test_long_words_of_the_survey_and_of_the_answer_wrap_on_a_phone(
    browser: Browser, live_server: LiveServer, org: Organization
) -> None:
    # Given a survey whose name, introduction, question and choices hold words wider than a phone
    survey = SurveyFactory.create(
        organization=org, status="active", name=f"Avis {REFERENCE}", intro_fr=f"Voir {ADDRESS}"
    )
    options = [{"value": "a", "fr": f"Par {ADDRESS}"}, {"value": "b", "fr": REFERENCE}]
    question(survey, "how", "choice", f"Comment avez-vous connu {ADDRESS} ?", "How?", options=options)
    question(survey, "said", "text", f"Votre commande {REFERENCE} ?", "Your order?")
    _invitation, token = invitation_with_token(
        survey=survey, customer=CustomerFactory.create(organization=org, language="fr")
    )
    with watched_page(browser, viewport=PHONE, has_touch=True, is_mobile=True, locale="fr-FR") as phone:
        # When the customer opens the link on a phone
        phone.goto(f"{live_server.url}/s/{token}")
        expect(phone.get_by_text("Question 1 sur 2")).to_be_visible()
        screenshot(phone, "answer-phone-long-words")
        # Then nothing makes the page wider than the screen
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        # And neither does the next question, nor an answer too long that comes back with its error
        phone.get_by_text(REFERENCE, exact=True).click()
        phone.get_by_role("button", name="Suivant").click()
        expect(phone.get_by_text("Question 2 sur 2")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
