"""A customer answers a survey on a phone (390 px wide): in French by keyboard, in English by touch."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from ecoute.accounts.models import Organization
from ecoute.listening.models import Response
from tests.chromium import PHONE, screenshot, watched_page
from tests.factories import CustomerFactory
from tests.listening.links import invitation_with_token, nps_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MIN_TARGET = 44  # px: WCAG 2.5.5, and the size the platforms' guidelines give for a finger


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    with watched_page(browser, viewport=PHONE, has_touch=True, is_mobile=True, locale="fr-FR") as page:
        yield page


def _luminance(css_colour: str) -> float:
    channels = [int(value) / 255 for value in re.findall(r"\d+", css_colour)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast_on_white(css_colour: str) -> float:
    return 1.05 / (_luminance(css_colour) + 0.05)


def _fits_the_screen(page: Page) -> None:
    """No sideways scrolling; targets a finger can hit; text at 4.5:1 and control edges at 3:1 (AA)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for label in page.locator(".scale-option label, .choice label").all():
        box = label.bounding_box()
        assert box is not None
        assert box["width"] >= MIN_TARGET
        assert box["height"] >= MIN_TARGET
        if not label.evaluate("label => label.previousElementSibling.checked"):
            edge = label.evaluate("label => getComputedStyle(label).borderTopColor")
            assert _contrast_on_white(edge) >= 3, edge
    for text in page.locator(".answer-progress, .answer-question, .scale-ends span, .answer-hint").all():
        colour = text.evaluate("element => getComputedStyle(element).color")
        assert _contrast_on_white(colour) >= 4.5, colour


def test_a_french_customer_answers_by_keyboard_alone(
    phone: Page, live_server: LiveServer, org: Organization
) -> None:
    # Given a French customer whose city is not on record, invited to the relationship survey
    customer = CustomerFactory.create(organization=org, language="fr", city="")
    invitation, token = invitation_with_token(survey=nps_survey(org, name="Votre avis"), customer=customer)

    # When they open the link and choose 3 with the arrow keys
    phone.goto(f"{live_server.url}/s/{token}")
    expect(phone.get_by_role("heading", name="Recommanderiez-vous la Maison ?")).to_be_visible()
    expect(phone.get_by_text("Question 1 sur 3")).to_be_visible()
    _fits_the_screen(phone)
    phone.keyboard.press("Tab")
    for _step in range(3):
        phone.keyboard.press("ArrowRight")

    # Then 3 is chosen, and its focus ring is visible
    expect(phone.get_by_role("radio", name="3")).to_be_checked()
    ring = phone.locator("label[for=score-3]").evaluate("label => getComputedStyle(label).outlineStyle")
    assert ring == "solid"
    screenshot(phone, "answer-phone-fr-score")

    # When they go on with Tab and Enter, telling what went wrong, then their city
    phone.keyboard.press("Tab")
    phone.keyboard.press("Enter")
    expect(phone.get_by_label("Qu'est-ce qui n'a pas été ?")).to_be_visible()
    phone.keyboard.press("Tab")
    phone.keyboard.type("Livraison en retard de deux semaines")
    screenshot(phone, "answer-phone-fr-text")
    phone.keyboard.press("Tab")
    phone.keyboard.press("Enter")
    expect(phone.get_by_text("Question 3 sur 3")).to_be_visible()
    phone.keyboard.press("Tab")
    phone.keyboard.type("Lyon")
    phone.keyboard.press("Tab")
    phone.keyboard.press("Enter")

    # Then they are thanked as a detractor, and their response is complete
    expect(phone.get_by_role("heading", name="Merci")).to_be_visible()
    expect(phone.get_by_text("Nous sommes désolés de vous avoir déçu")).to_be_visible()
    screenshot(phone, "answer-phone-fr-thanks")
    response = Response.objects.get(invitation=invitation)
    assert response.nps_level == "detractor"
    assert response.answers.get(question__code="went_wrong").text == "Livraison en retard de deux semaines"


def test_an_english_customer_answers_by_touch_from_the_score_in_the_e_mail(
    phone: Page, live_server: LiveServer, org: Organization
) -> None:
    # Given an English-speaking customer whose city is on record
    customer = CustomerFactory.create(organization=org, language="en", city="York")
    invitation, token = invitation_with_token(survey=nps_survey(org, name="Your opinion"), customer=customer)

    # When they tap 10 in the e-mail: the survey opens with 10 chosen, nothing recorded yet
    phone.goto(f"{live_server.url}/s/{token}/10")
    expect(phone.get_by_role("radio", name="10")).to_be_checked()
    expect(phone.get_by_text("Extremely likely", exact=True)).to_be_visible()
    expect(phone.get_by_text("Question 1 of 2")).to_be_visible()  # the score, then its follow-up
    _fits_the_screen(phone)
    screenshot(phone, "answer-phone-en-score")
    assert not Response.objects.exists()

    # When they tap Next, then answer what they liked most and send
    phone.get_by_role("button", name="Next").tap()
    phone.get_by_label("What did you like most?").tap()
    phone.get_by_label("What did you like most?").fill("The advice in the shop")
    screenshot(phone, "answer-phone-en-text")
    phone.get_by_role("button", name="Send my answers").tap()

    # Then they are thanked as a promoter, in English
    expect(phone.get_by_text("We are delighted you would recommend us")).to_be_visible()
    screenshot(phone, "answer-phone-en-thanks")
    assert Response.objects.get(invitation=invitation).nps_level == "promoter"
