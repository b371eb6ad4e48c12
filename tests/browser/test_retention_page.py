"""A manager opens the retention page from the navigation, on a phone and on a laptop."""

from datetime import UTC, datetime

import pytest
import time_machine
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from ecoute.accounts.models import Membership
from tests.chromium import log_in, screenshot
from tests.retention.test_retention_page import shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("width", "name"), [(390, "phone"), (1366, "laptop")])
def test_the_retention_page_reads_at_every_width(
    browser: Browser, live_server: LiveServer, owner: Membership, width: int, name: str
) -> None:
    # Given a shop whose twelve one-time customers were lost in June
    with time_machine.travel(datetime(2026, 7, 15, 12, 0, tzinfo=UTC), tick=True):
        shop(owner.organization)
        context = browser.new_context(
            viewport={"width": width, "height": 844 if width < 500 else 900},
            locale="fr-FR",
            is_mobile=width < 500,
        )
        page = context.new_page()
        log_in(page, live_server.url, owner.user.email)

        # When they open the retention page from the navigation
        page.get_by_role("link", name="Rétention").click()

        # Then churn, its n and the revenue at stake read in French, and the page fits the screen
        expect(page.get_by_role("heading", name="Taux de perte par mois")).to_be_visible()
        june = page.get_by_role("region", name="Taux de perte par mois").get_by_role("row", name="juin 2026")
        expect(june).to_contain_text("52")
        expect(june).to_contain_text("23,1\xa0%")
        expect(page.get_by_test_id("revenue-at-stake")).to_have_text("14\xa0814\xa0€")
        expect(page.locator("[data-chart=chart-churn] svg")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        screenshot(page, f"retention-{name}")

        # And the rules open from the page
        page.get_by_role("link", name="Règles de rétention").click()
        expect(page.get_by_label("perdu après au moins (jours)")).to_have_value("180")
        context.close()
