"""A manager opens the lost and at-risk customers from the navigation, groups them by store, opens a
store's segment and reads it in French then in English, on a phone and on a laptop."""

from datetime import UTC, datetime

import pytest
import time_machine
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from ecoute.accounts.models import Membership
from tests.chromium import log_in, screenshot, watched_page
from tests.retention.slipping_shop import slipping_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("width", "name"), [(390, "phone"), (1366, "laptop")])
def test_the_lost_customers_page_reads_at_every_width_in_both_languages(
    browser: Browser, live_server: LiveServer, owner: Membership, width: int, name: str
) -> None:
    # Given the slipping shop: two lost and two at-risk customers, one active
    with time_machine.travel(datetime(2026, 7, 15, 12, 0, tzinfo=UTC), tick=True):
        slipping_shop(owner.organization)
        viewport = {"width": width, "height": 844 if width < 500 else 900}
        with watched_page(browser, viewport=viewport, locale="fr-FR", is_mobile=width < 500) as page:
            log_in(page, live_server.url, owner.user.email)

            # When they open the lost customers from the navigation
            page.get_by_role("link", name="Clients perdus", exact=True).click()

            # Then the four customers and what they spent read in French
            expect(page.get_by_role("heading", name="Clients perdus et à risque")).to_be_visible()
            expect(page.get_by_test_id("segment-customers")).to_have_text("4")
            expect(page.get_by_test_id("segment-spent")).to_have_text("3\xa0396\xa0€")
            expect(page.get_by_test_id("segment-stayed")).to_have_text("1\xa0550\xa0€")
            screenshot(page, f"lost-customers-{name}-fr")
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1

            # And grouped by store, the Rennes row opens its segment: Anne and Chloé
            page.get_by_label("Regrouper par").select_option("store")
            page.get_by_role("button", name="Afficher").click()
            page.get_by_role("link", name="Rennes", exact=True).click()
            expect(page.get_by_test_id("segment-description")).to_contain_text(
                "dont le dernier achat a eu lieu au point de vente «\xa0Rennes\xa0»"
            )
            customers = page.get_by_test_id("segment-customers-list")
            expect(customers.get_by_role("row")).to_have_count(3)
            expect(customers).to_contain_text("Anne")
            expect(customers).to_contain_text("Chloé")
            screenshot(page, f"lost-customers-rennes-{name}-fr")
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1

            # And in English the same segment reads in English numbers
            page.get_by_label("Langue").select_option("en")
            expect(page.get_by_role("heading", name="Lost and at-risk customers")).to_be_visible()
            expect(page.get_by_test_id("segment-spent")).to_have_text("€350")
            expect(page.get_by_test_id("segment-description")).to_contain_text("in the store “Rennes”")
            screenshot(page, f"lost-customers-rennes-{name}-en")
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
