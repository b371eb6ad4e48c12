"""A survey's results page reads on a phone and on a laptop: figures, bars, verbatims, no sideways scroll."""

import json
import random
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from ecoute.accounts.models import Membership
from ecoute.analytics.nps import level_of
from ecoute.listening.actions import import_survey
from ecoute.listening.models import Answer, Invitation, Response, Survey, Wave
from ecoute.listening.survey_files import SCHEMA_FILE
from tests.chromium import log_in, screenshot
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEMPLATE = SCHEMA_FILE.parent / "templates" / "relationship-nps.json"
WORDS = ("Livraison en retard de trois jours.", "Très bon conseil en magasin.", "Prix un peu élevés.")


def _survey_with_answers(owner: Membership) -> Survey:
    organization = owner.organization
    survey, _created = import_survey(organization, json.loads(TEMPLATE.read_text(encoding="utf-8")))
    questions = {q.code: q for q in survey.questions.all()}
    wave = Wave.objects.create(survey=survey, planned_at=datetime(2026, 10, 6, 8, tzinfo=UTC))
    rng = random.Random(7)
    for number in range(60):
        customer = CustomerFactory.create(organization=organization)
        invitation = Invitation.objects.create(
            organization=organization, survey=survey, wave=wave, customer=customer, status="completed",
            token_hash=f"{number:064x}", sent_at=wave.planned_at,
        )  # fmt: skip
        score = rng.choice((0, 3, 6, 7, 8, 8, 9, 9, 10, 10))
        response = Response.objects.create(
            organization=organization, survey=survey, invitation=invitation, customer=customer,
            channel="email", nps_level=str(level_of(score)), completed_at=wave.planned_at,
        )  # fmt: skip
        Answer.objects.create(response=response, question=questions["recommend"], number=score)
        Answer.objects.create(response=response, question=questions["main_criterion"], choices=["advice"])
        if number % 3 == 0:
            Answer.objects.create(
                response=response, question=questions["went_wrong"], text=WORDS[number % 9 // 3]
            )
    return survey


def _console_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


def test_the_results_page_reads_on_a_phone_and_on_a_laptop(
    browser: Browser, live_server: LiveServer, owner: Membership
) -> None:
    # Given a survey with 60 answers
    survey = _survey_with_answers(owner)
    for name, width, mobile in (("survey-results-phone", 390, True), ("survey-results-laptop", 1366, False)):
        context = browser.new_context(
            viewport={"width": width, "height": 900}, locale="fr-FR", is_mobile=mobile
        )
        page = context.new_page()
        errors = _console_errors(page)
        log_in(page, live_server.url, owner.user.email)
        # When the results are opened
        page.goto(f"{live_server.url}/surveys/{survey.pk}/results/")
        # Then the NPS, the split, the bars and the verbatims are there, within the width
        expect(page.get_by_role("heading", name=survey.name)).to_be_visible()
        expect(page.locator('[data-figure="recommend"]')).to_contain_text("n = 60 réponses")
        expect(page.locator("svg.bar").first).to_be_visible()
        # And a search narrows the verbatims without reloading the page
        page.get_by_label("Mots").fill("conseil")
        expect(page.locator(".verbatim")).to_have_count(sum(1 for n in range(0, 60, 3) if n % 9 // 3 == 1))
        screenshot(page, name)
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, name
        assert errors == [], errors
        context.close()
