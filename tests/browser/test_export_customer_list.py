"""A manager filters the customer list and downloads it as CSV and Excel, on a phone and on a laptop, in
French and in English."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from ecoute.accounts.models import AuditEvent, Membership
from tests.chromium import log_in, screenshot, watched_page
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "fr": {
        "region": "Région",
        "csv": "Exporter en CSV",
        "xlsx": "Exporter en Excel",
        "log": "Journal des exports",
    },
    "en": {
        "region": "Region",
        "csv": "Export CSV",
        "xlsx": "Export Excel",
        "log": "Exports log",
    },
}


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("width", [390, 1366])
def test_the_filtered_list_downloads_as_csv_and_excel_at_every_width(
    browser: Browser,
    live_server: LiveServer,
    owner: Membership,
    language: str,
    width: int,
) -> None:
    # Given Breton and Occitan customers, and an owner who reads the product in `language`
    for number in range(3):
        CustomerFactory.create(
            organization=owner.organization, external_id=f"BZH-{number}", region="Bretagne"
        )
    CustomerFactory.create(organization=owner.organization, external_id="OC-1", region="Occitanie")
    owner.user.language = language
    owner.user.save(update_fields=["language"])
    words = WORDS[language]
    phone = width < 500
    name = "phone" if phone else "laptop"
    viewport = {"width": width, "height": 844 if phone else 900}
    with watched_page(
        browser, viewport=viewport, is_mobile=phone, accept_downloads=True, locale="fr-FR"
    ) as page:
        # The live server's first answer imports the whole product: on a busy machine it takes a while.
        page.set_default_timeout(90_000)
        log_in(page, live_server.url, owner.user.email)
        page.goto(f"{live_server.url}/customers/")

        # When they keep the Breton customers and download the list
        page.get_by_label(words["region"]).select_option("Bretagne")
        expect(page.locator("#customer-rows tbody tr")).to_have_count(3)
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        screenshot(page, f"customer-exports-{name}-{language}")
        with page.expect_download() as csv_download:
            page.get_by_role("link", name=words["csv"]).click()
        with page.expect_download() as xlsx_download:
            page.get_by_role("link", name=words["xlsx"]).click()

        # Then the CSV holds the three Breton customers in the organization's conventions (French here)
        text = Path(csv_download.value.path()).read_bytes().decode("utf-8-sig")
        lines = text.strip().split("\r\n")
        assert len(lines) == 4
        assert all(line.count(";") == 7 for line in lines)
        assert "OC-1" not in text
        assert csv_download.value.suggested_filename.endswith(".csv")
        assert Path(xlsx_download.value.path()).read_bytes()[:2] == b"PK"
        assert xlsx_download.value.suggested_filename.endswith(".xlsx")

        # And the exports log, reached from the members page, lists both
        page.goto(f"{live_server.url}/accounts/members/")
        page.get_by_role("link", name=words["log"]).click()
        expect(page.locator("tbody tr")).to_have_count(2)
        expect(page.locator("tbody")).to_contain_text("Bretagne")
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        screenshot(page, f"exports-log-{name}-{language}")
    # And both downloads are in the audit log with three rows each
    assert list(AuditEvent.objects.values_list("row_count", flat=True)) == [3, 3]
