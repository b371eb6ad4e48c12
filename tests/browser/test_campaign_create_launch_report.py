"""An analyst builds a campaign, sees its size and power, launches it, and reads its report two months
later, on a laptop and on a phone, in French and in English."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from ecoute.accounts.models import Membership
from ecoute.retention.models import CampaignMember
from tests.chromium import log_in, screenshot, watched_page
from tests.factories import TransactionFactory
from tests.retention.campaigns import slipping_customer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAUNCH = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
WORDS = {
    "fr": {"new": "Nouvelle campagne", "save": "Enregistrer le brouillon", "launch": "Lancer la campagne",
           "answer": "La campagne a fait revenir", "nav": "Campagnes", "edit": "Modifier le brouillon"},
    "en": {"new": "New campaign", "save": "Save the draft", "launch": "Launch the campaign",
           "answer": "The campaign brought back", "nav": "Campaigns", "edit": "Change the draft"},
}  # fmt: skip


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(("width", "name"), [(390, "phone"), (1366, "laptop")])
def test_create_launch_and_read_the_report(
    browser: Browser,
    live_server: LiveServer,
    owner: Membership,
    settings: Any,
    *,
    width: int,
    name: str,
    language: str,
) -> None:
    settings.SESSION_COOKIE_AGE = 365 * 24 * 3600  # the report is read two months after the launch
    words = WORDS[language]
    owner.user.language = language
    owner.user.save(update_fields=["language"])
    org = owner.organization
    viewport = {"width": width, "height": 844 if width < 500 else 900}
    with time_machine.travel(LAUNCH, tick=True):
        # Given 300 lost customers who consent to marketing e-mails
        for _n in range(300):
            slipping_customer(org)
        with watched_page(browser, viewport=viewport, locale="fr-FR", is_mobile=width < 500) as page:
            log_in(page, live_server.url, owner.user.email)
            # When the owner opens the campaigns and builds one
            page.goto(f"{live_server.url}/campaigns/")
            page.get_by_role("link", name=words["new"]).click()
            page.locator("[name=name]").fill("Printemps")
            page.locator("[name=email_enabled]").check()
            page.locator("[name=email_subject_fr]").fill("{first_name|Bonjour}, vous nous manquez")
            page.locator("[name=email_body_fr]").fill("Bonjour {first_name|},\n\nÀ bientôt.")
            # Then the size of the audience follows the filters as they change
            page.locator("[name=statuses][value=at_risk]").uncheck()
            expect(page.get_by_test_id("campaign-size")).to_contain_text("300")
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
            screenshot(page, f"campaign-form-{language}-{name}")
            page.get_by_role("button", name=words["save"]).click()
            # And the draft shows its power before launch
            expect(page.get_by_test_id("campaign-size")).to_be_visible()
            screenshot(page, f"campaign-draft-{language}-{name}")
            # And the draft can still be changed: its form shows what it is, and saves back to it
            page.get_by_role("link", name=words["edit"]).click()
            expect(page.locator("[name=name]")).to_have_value("Printemps")
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
            screenshot(page, f"campaign-edit-{language}-{name}")
            page.get_by_role("button", name=words["save"]).click()
            page.get_by_role("button", name=words["launch"]).click()
            expect(page.get_by_test_id("campaign-answer")).to_be_visible()

            # Given, within the window, 40 % of the treated customers and 10 % of the held-out came back
            members = list(
                CampaignMember.objects.filter(campaign__organization=org).select_related("customer")
            )
            treated = [m for m in members if m.group == "treatment"]
            held_out = [m for m in members if m.group == "control"]
            for member in treated[: len(treated) * 4 // 10] + held_out[: len(held_out) // 10]:
                TransactionFactory.create(
                    customer=member.customer, occurred_at=LAUNCH + timedelta(days=20), amount=Decimal("60.00")
                )
            # When the report is read after the window
            with time_machine.travel(LAUNCH + timedelta(days=61), tick=True):
                page.reload()
                # Then it answers in one sentence, with each group's n
                expect(page.get_by_test_id("campaign-answer")).to_contain_text(words["answer"])
                expect(page.get_by_role("row").filter(has_text=str(len(held_out))).first).to_be_visible()
                assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
                screenshot(page, f"campaign-report-{language}-{name}")
