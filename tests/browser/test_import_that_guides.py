"""A manager uploads a till export as "customers", is told it looks like sales and switches, checks it
(one bad row), imports the valid rows from the dry run's page, then undoes the import — in French and in
English, on a desktop screen and on a phone."""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from ecoute.accounts.models import Membership
from ecoute.customers.models import Transaction
from tests.chromium import PHONE, log_in, screenshot, watched_page
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SALES = (
    "N° ticket;N° client;Date;Montant TTC;Magasin\n"
    "T1;C1;02/03/2024;49,90;Lyon\n"
    "T2;C1;03/03/2024;douze;Lyon\n"
    "T3;C1;04/03/2024;12,00;Nantes\n"
)
WORDS = {
    "fr": {
        "imports": "Imports",
        "new": "Importer un fichier",
        "kind": "Ce que contient le fichier",
        "next": "Suivant",
        "looks": "Ce fichier ressemble à des ventes",
        "switch": "L’importer comme « transactions »",
        "check": "Vérifier sans importer",
        "valid": "Importer les lignes valides",
        "rejects": "Télécharger les lignes rejetées",
        "done": "terminé",
        "undo_link": "Annuler cet import…",
        "undo": "Annuler l’import",
        "undone": "annulé",
    },
    "en": {
        "imports": "Imports",
        "new": "Import a file",
        "kind": "What the file holds",
        "next": "Next",
        "looks": "This file looks like sales",
        "switch": "Import it as transactions",
        "check": "Check without importing",
        "valid": "Import the valid rows",
        "rejects": "Download the rejected rows",
        "done": "done",
        "undo_link": "Undo this import…",
        "undo": "Undo the import",
        "undone": "undone",
    },
}


def _no_horizontal_overflow(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1, width  # type: ignore[index]


@pytest.mark.parametrize(
    "case", [("fr", "desktop"), ("en", "desktop"), ("fr", "phone"), ("en", "phone")], ids="-".join
)
def test_a_sales_file_is_checked_its_valid_rows_imported_then_the_import_undone(
    browser: Browser,
    live_server: LiveServer,
    owner: Membership,
    tmp_path: Path,
    case: tuple[str, str],
) -> None:
    language, screen = case
    words = WORDS[language]
    export = tmp_path / "ventes.csv"
    export.write_bytes(SALES.replace("\n", "\r\n").encode("cp1252"))
    viewport = PHONE if screen == "phone" else {"width": 1366, "height": 900}
    name = f"import-guide-{language}-{screen}"
    with watched_page(browser, viewport=viewport, locale="fr-FR") as page:
        log_in(page, live_server.url, owner.user.email)
        expect(page.get_by_role("navigation", name="Principal")).to_be_visible()
        CustomerFactory.create(organization=owner.organization, external_id="C1")
        page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )

        # Given the till export uploaded as customers
        page.goto(f"{live_server.url}/imports/new/")
        page.get_by_label(words["kind"]).select_option("customers")
        page.locator("input[type=file]").set_input_files(str(export))
        page.get_by_role("button", name=words["next"]).click()

        # Then the page says it looks like sales, and switching keeps the upload
        expect(page.get_by_role("alert").filter(has_text=words["looks"])).to_be_visible()
        _no_horizontal_overflow(page)
        screenshot(page, f"{name}-1-looks-like")
        page.get_by_role("button", name=words["switch"]).click()
        expect(page.locator("select[name=column_3]")).to_have_value("amount")

        # When it is checked without importing
        page.get_by_role("button", name=words["check"]).click()

        # Then the bad row is listed, with the valid rows to import and the rejects to download
        expect(page.get_by_role("button", name=words["valid"])).to_be_visible(timeout=20_000)
        expect(page.get_by_role("link", name=words["rejects"])).to_be_visible()
        _no_horizontal_overflow(page)
        screenshot(page, f"{name}-2-dry-run")

        # When the valid rows are imported
        page.get_by_role("button", name=words["valid"]).click()
        expect(page.locator("#import-progress .badge")).to_have_text(words["done"], timeout=20_000)
        assert Transaction.objects.filter(organization=owner.organization).count() == 2
        screenshot(page, f"{name}-3-imported")

        # And then undone, after reading what undo does and cannot do
        page.get_by_role("link", name=words["undo_link"]).click()
        expect(page.get_by_role("button", name=words["undo"])).to_be_visible()
        _no_horizontal_overflow(page)
        screenshot(page, f"{name}-4-undo")
        page.get_by_role("button", name=words["undo"]).click()

        # Then the sales are gone and the import says it was undone
        expect(page.locator("#import-progress .badge")).to_have_text(words["undone"])
        assert not Transaction.objects.filter(organization=owner.organization).exists()
        screenshot(page, f"{name}-5-undone")
