"""End to end, as a company and its customers live it, under one frozen calendar the live server shares.

Customers and their consents come from CSV files through `ecoute import`; the relationship survey from
its JSON file through `ecoute survey import`; a wave is invited with `ecoute survey invite` on a
Saturday evening (quiet hours in Paris) and the outbox, run from cron as `ecoute outbox send`, delivers
it on Monday morning to a real SMTP server. A customer answers from the score link of her e-mail on a
phone; the reminder goes only to those who have not answered; two customers unsubscribe in one click,
one on the page, one by the mail provider's RFC 8058 POST; the consent log keeps both withdrawals and
the next invitations skip them, as contact pressure and its minimum gap skip the customers solicited
too much or too recently.
"""

import json
import urllib.request
from collections.abc import Iterator
from datetime import date, datetime, time
from io import StringIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connections
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from ecoute.accounts.models import Membership
from ecoute.customers.models import Consent, Customer
from ecoute.listening.actions import ensure_listening_defaults
from ecoute.listening.models import Invitation, Response, Survey
from ecoute.messaging.models import Message
from tests.chromium import PHONE, screenshot, watched_page
from tests.conftest import member_client
from tests.listening.mailbox import addressed_to, parts, score_links, unsubscribe_url
from tests.listening.planning_helpers import policy
from tests.smtp_sink import SmtpSink

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEMPLATES = Path(__file__).resolve().parents[2] / "ecoute" / "listening" / "data" / "templates"
PARIS = ZoneInfo("Europe/Paris")
# A June ahead of the real clock: the browser keeps cookies by its own clock, the server dates them
# by the frozen one. June in Paris is UTC+2 every year.
YEAR = date.today().year + 1
FIRST_SATURDAY = next(day for day in range(1, 8) if date(YEAR, 6, day).weekday() == 5)


def paris(days_after_the_first_saturday: int, hour: int, minute: int = 0) -> datetime:
    day = date(YEAR, 6, FIRST_SATURDAY + days_after_the_first_saturday)
    return datetime.combine(day, time(hour, minute), PARIS)


SATURDAY_EVENING = paris(0, 21, 30)  # 19:30 UTC: quiet in Paris, not in London
MONDAY_MORNING = paris(2, 9)
WEDNESDAY = paris(4, 10)
THURSDAY = paris(5, 10)  # three days after the e-mails left: no reminder is due yet
FRIDAY_EVENING = paris(6, 21)  # four days and twelve hours: due, but in quiet hours
SATURDAY_MORNING = paris(7, 9, 30)
NEXT_TUESDAY = paris(10, 10)

CUSTOMERS = """Code client;Prénom;Nom;Courriel;Langue;Ville
C1;Jeanne;Martin;jeanne@example.fr;fr;Lyon
C2;Paul;Durand;paul@example.fr;fr;Nantes
C3;Ada;Lovelace;ada@example.org;en;London
C4;Marc;Petit;marc@example.fr;fr;Lille
C5;Luc;Moreau;luc@example.fr;fr;Rennes
C6;Zoé;Roux;zoe@example.fr;fr;Paris
"""
# Luc never said anything; Zoé said yes, then no.
CONSENTS = """Code client;Canal;Finalité;Consentement;Date
C1;e-mail;enquêtes;oui;15/01/2025
C2;e-mail;enquêtes;oui;15/01/2025
C3;e-mail;enquêtes;oui;15/01/2025
C4;e-mail;enquêtes;oui;15/01/2025
C6;e-mail;enquêtes;oui;15/01/2025
C6;e-mail;enquêtes;non;01/03/2025
"""


def ecoute(*args: str) -> str:
    """Run an `ecoute` command in this process (it sees the frozen clock); what it printed."""
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def send_outbox() -> str:
    return ecoute("outbox", "send", "--org", "maison")


def activate(owner: Membership, survey: Survey) -> None:
    """The owner logs in (at the frozen time) and activates the survey on its page."""
    page = member_client(owner).post(f"/surveys/{survey.pk}/activate/")
    assert page.status_code == 302
    assert page["Location"] == f"/surveys/{survey.pk}/"


def invite(slug: str) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(ecoute("survey", "invite", slug, "--org", "maison", "--json"))
    return report


def latest_consent(external_id: str) -> Consent:
    consents = Consent.objects.filter(customer__external_id=external_id, channel="email", purpose="surveys")
    return consents.latest("recorded_at", "id")


def skip_reasons(survey: Survey, wave_id: int) -> dict[str, str]:
    invitations = Invitation.objects.filter(survey=survey, wave_id=wave_id)
    return dict(invitations.values_list("customer__external_id", "skip_reason"))


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """Chromium at a phone's size, by touch, in French; it fails the test on any console error."""
    with watched_page(browser, viewport=PHONE, has_touch=True, is_mobile=True, locale="fr-FR") as page:
        yield page
        # While Playwright runs its event loop, Django keeps this thread's connections apart (as for
        # async code): close the ones the test opened, or PostgreSQL keeps them past the test.
        connections.close_all()


@pytest.fixture
def site(live_server: LiveServer, settings: Any) -> str:
    """The live site of an install that runs no worker and sends from cron: the e-mails link to it, and
    queued messages wait for `ecoute outbox send`."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    settings.SITE_URL = live_server.url
    return live_server.url


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    """The folder of the CRM's exports: its customers, and their consents."""
    (tmp_path / "clients.csv").write_text(CUSTOMERS, encoding="utf-8")
    (tmp_path / "consentements.csv").write_text(CONSENTS, encoding="utf-8")
    return tmp_path


def test_customers_are_invited_answer_on_a_phone_are_reminded_once_and_unsubscribe_under_the_rules(
    owner: Membership, smtp_sink: SmtpSink, site: str, phone: Page, exports: Path
) -> None:
    # Given an organization in Paris with the shipped criteria and a contact policy: at most 2
    # solicitations per 30 days, 7 days apart, quiet from 20:00 to 09:00 and on Sundays
    org = owner.organization
    ensure_listening_defaults(org)
    policy(org, max_solicitations=2, per_days=30, min_gap_days=7, quiet_start=time(20), quiet_end=time(9),
           quiet_days=[6])  # fmt: skip

    with time_machine.travel(SATURDAY_EVENING, tick=False) as clock:
        # When, on Saturday evening, the company imports its customers and their consents, creates the
        # relationship survey from its file, activates it and invites its audience
        ecoute("import", "customers", str(exports / "clients.csv"), "--org", "maison")
        ecoute("import", "consents", str(exports / "consentements.csv"), "--org", "maison")
        ecoute("survey", "import", str(TEMPLATES / "relationship-nps.json"), "--org", "maison")
        nps = Survey.objects.get(organization=org, slug="relationship-nps")
        activate(owner, nps)
        first_wave = invite("relationship-nps")
        saturday_pass = send_outbox()

        # Then the six customers are there; the four who consent are invited, the two others skipped
        # for consent; the wave waits for Monday 09:00 in Paris, and nothing leaves on Saturday
        assert Customer.objects.filter(organization=org).count() == 6
        assert (first_wave["planned"], first_wave["skipped"]) == (4, {"consent": 2})
        assert skip_reasons(nps, first_wave["wave"]) == {
            "C1": "", "C2": "", "C3": "", "C4": "", "C5": "consent", "C6": "consent",
        }  # fmt: skip
        assert datetime.fromisoformat(first_wave["send_at"]) == MONDAY_MORNING
        assert saturday_pass.startswith("Envoyés\xa0: 0 ")
        assert smtp_sink.messages == []

        # When the outbox runs on Monday at 09:00
        clock.move_to(MONDAY_MORNING)
        monday_pass = send_outbox()

        # Then each of the four gets one e-mail in their language, with the NPS question as eleven
        # links, a plain text part and the one-click unsubscribe headers
        assert monday_pass.startswith("Envoyés\xa0: 4 ")
        assert sorted(str(m["To"]) for m in smtp_sink.messages) == [
            "ada@example.org", "jeanne@example.fr", "marc@example.fr", "paul@example.fr",
        ]  # fmt: skip
        [to_jeanne] = addressed_to(smtp_sink.messages, "jeanne@example.fr")
        [to_ada] = addressed_to(smtp_sink.messages, "ada@example.org")
        assert to_jeanne["Subject"] == "Jeanne, nous recommanderiez-vous ?"
        assert to_jeanne["Content-Language"] == "fr"
        assert to_ada["Subject"] == "Ada, would you recommend us?"
        assert to_ada["Content-Language"] == "en"
        for received in smtp_sink.messages:
            text, html = parts(received)
            links = score_links(received)
            assert sorted(links) == list(range(11))
            assert all(url.startswith(f"{site}/s/") for url in links.values())
            assert links[9] in text
            assert unsubscribe_url(received).startswith(f"{site}/u/")
            assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            assert "{" not in text + html
        assert "Cliquez sur une note, puis confirmez-la" in parts(to_jeanne)[0]
        assert "Click a score, then confirm it" in parts(to_ada)[0]

        # When Jeanne taps 9 in her e-mail on her phone, confirms it, and answers the rest
        phone.goto(score_links(to_jeanne)[9])
        expect(phone.get_by_role("radio", name="9")).to_be_checked()
        expect(phone.get_by_text("Question 1 sur 3")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(phone, "e2e-phone-score-from-the-e-mail")
        phone.get_by_role("button", name="Suivant").tap()
        liked_most = phone.get_by_label("Qu’avez-vous le plus apprécié ?")
        liked_most.fill("Les conseils de la vendeuse, précis et sans pression")
        screenshot(phone, "e2e-phone-liked-most")
        phone.get_by_role("button", name="Suivant").tap()
        phone.get_by_text("Le conseil", exact=True).tap()
        expect(phone.get_by_role("radio", name="Le conseil")).to_be_checked()
        screenshot(phone, "e2e-phone-main-criterion")
        phone.get_by_role("button", name="Envoyer mes réponses").tap()

        # Then she is thanked as a promoter, by name, and her response is complete
        expect(phone.get_by_text("Merci Jeanne ! Votre confiance nous touche beaucoup.")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(phone, "e2e-phone-thanks")
        response = Response.objects.get(invitation__customer__external_id="C1")
        assert (response.nps_level, response.completed_at) == ("promoter", MONDAY_MORNING)
        assert dict(response.answers.values_list("question__code", "number")) == {
            "recommend": 9, "liked_most": None, "main_criterion": None,
        }  # fmt: skip

        # When, on Wednesday, Ada opens the unsubscribe link of her e-mail and taps the button
        clock.move_to(WEDNESDAY)
        phone.goto(unsubscribe_url(to_ada))
        expect(phone.get_by_role("heading", name="Unsubscribe")).to_be_visible()
        screenshot(phone, "e2e-phone-unsubscribe")
        phone.get_by_role("button", name="Unsubscribe").tap()

        # Then the page says it is done, in her language (not the phone's), and the consent log records
        # her withdrawal
        expect(phone.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
        screenshot(phone, "e2e-phone-unsubscribed")
        withdrawal = latest_consent("C3")
        assert (withdrawal.granted, withdrawal.source, withdrawal.recorded_at) == (
            False, "unsubscribe link", WEDNESDAY,
        )  # fmt: skip

        # When, the same day, a second survey is imported, activated and invited
        ecoute("survey", "import", str(TEMPLATES / "importance-satisfaction.json"), "--org", "maison")
        criteria = Survey.objects.get(organization=org, slug="importance-satisfaction")
        activate(owner, criteria)
        too_soon = invite("importance-satisfaction")

        # Then nobody is invited: the three still consenting were solicited two days ago (the gap),
        # Ada no longer consents
        assert (too_soon["planned"], too_soon["skipped"]) == (0, {"consent": 3, "gap": 3})
        assert skip_reasons(criteria, too_soon["wave"]) == {
            "C1": "gap", "C2": "gap", "C3": "consent", "C4": "gap", "C5": "consent", "C6": "consent",
        }  # fmt: skip

        # When the outbox runs on Thursday, three days after the e-mails left
        clock.move_to(THURSDAY)
        assert send_outbox().startswith("Envoyés\xa0: 0 ")
        # and on Friday evening, once the four days have passed, but in quiet hours
        clock.move_to(FRIDAY_EVENING)
        assert send_outbox().startswith("Envoyés\xa0: 0 ")
        # Then the reminders of those still to answer wait for Saturday 09:00 in Paris
        waiting = Message.objects.filter(purpose="survey_reminder", status="queued")
        assert dict(waiting.values_list("customer__external_id", "next_attempt_at")) == {
            "C2": paris(7, 9), "C4": paris(7, 9),
        }  # fmt: skip

        # When the outbox runs on Saturday morning
        clock.move_to(SATURDAY_MORNING)
        saturday_morning_pass = send_outbox()

        # Then the reminder goes only to Paul and Marc: Jeanne answered, Ada's is held back by her
        # withdrawn consent at send time
        assert saturday_morning_pass.startswith("Envoyés\xa0: 2 ")
        reminders = smtp_sink.messages[4:]
        assert sorted(str(m["To"]) for m in reminders) == ["marc@example.fr", "paul@example.fr"]
        [reminder_to_paul] = addressed_to(reminders, "paul@example.fr")
        assert reminder_to_paul["Subject"] == "Rappel : Paul, nous recommanderiez-vous ?"
        [invitation_to_paul] = addressed_to(smtp_sink.messages[:4], "paul@example.fr")
        assert score_links(reminder_to_paul)[0] != score_links(invitation_to_paul)[0]
        held = Message.objects.get(purpose="survey_reminder", customer__external_id="C3")
        assert (held.status, held.status_reason) == ("suppressed", "no_consent")

        # When Paul's mail provider posts the one-click unsubscribe of the reminder (RFC 8058)
        one_click = urllib.request.Request(  # noqa: S310 - the live test server
            unsubscribe_url(reminder_to_paul),
            data=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            method="POST",
        )
        with urllib.request.urlopen(one_click) as answer:  # noqa: S310 - the live test server
            assert answer.status == 200

        # Then the consent log records his withdrawal too
        withdrawal = latest_consent("C2")
        assert (withdrawal.granted, withdrawal.source, withdrawal.recorded_at) == (
            False, "unsubscribe link", SATURDAY_MORNING,
        )  # fmt: skip

        # When the second survey is invited again the next Tuesday, and the outbox runs
        clock.move_to(NEXT_TUESDAY)
        second_wave = invite("importance-satisfaction")
        tuesday_pass = send_outbox()

        # Then Jeanne alone is invited: Marc had his two solicitations in 30 days (the invitation and
        # its reminder), Paul and Ada unsubscribed, Luc and Zoé still do not consent
        assert (second_wave["planned"], second_wave["skipped"]) == (1, {"consent": 4, "pressure": 1})
        assert skip_reasons(criteria, second_wave["wave"]) == {
            "C1": "", "C2": "consent", "C3": "consent", "C4": "pressure", "C5": "consent", "C6": "consent",
        }  # fmt: skip
        assert tuesday_pass.startswith("Envoyés\xa0: 1 ")
        assert [str(m["To"]) for m in smtp_sink.messages[6:]] == ["jeanne@example.fr"]

    # And, over the whole story, nobody received more than two e-mails, none in quiet hours
    assert len(smtp_sink.messages) == 7
    for address in {str(m["To"]) for m in smtp_sink.messages}:
        assert len(addressed_to(smtp_sink.messages, address)) <= 2
    sent = Message.objects.filter(status="sent")
    in_paris = [moment.astimezone(PARIS) for moment in sent.values_list("sent_at", flat=True) if moment]
    assert len(in_paris) == 7
    assert all(time(9) <= moment.time() < time(20) and moment.weekday() != 6 for moment in in_paris)
