"""A manager logs in, imports the CRM's customer file through the web page, and finds a customer."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from ecoute.accounts.models import Membership
from ecoute.customers.models import Customer
from tests.chromium import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLIENTS = (
    "N° client;Civilité;Prénom;Nom;Courriel;Code postal;Ville;Région;Date de création\n"
    "C-100;Mme;Hélène;Lefèvre;helene@exemple.fr;75011;Paris;Île-de-France;03/04/2023\n"
    "C-101;M.;Mathis;Garnier;mathis@exemple.fr;69002;Lyon;Auvergne-Rhône-Alpes;12/01/2024\n"
    "C-102;Mme;Chloé;Rousseau;chloe@exemple.fr;33000;Bordeaux;Nouvelle-Aquitaine;28/02/2024\n"
)


def _log_in(page: Page, live_server: LiveServer, email: str) -> None:
    log_in(page, live_server.url, email)
    expect(page.get_by_role("navigation", name="Principal")).to_be_visible()


def test_a_manager_imports_the_crm_file_from_the_web_page_and_finds_a_customer(
    page: Page, live_server: LiveServer, owner: Membership, tmp_path: Path
) -> None:
    # Given a manager with the CRM's customer export on disk (cp1252, semicolons)
    export = tmp_path / "export_clients.csv"
    export.write_bytes(CLIENTS.replace("\n", "\r\n").encode("cp1252"))
    _log_in(page, live_server, owner.user.email)

    # When they upload it, check the guessed columns and import
    page.get_by_role("link", name="Imports").click()
    page.get_by_role("link", name="Importer un fichier").first.click()
    page.get_by_label("Ce que contient le fichier").select_option("customers")
    page.locator("input[type=file]").set_input_files(str(export))
    page.get_by_role("button", name="Suivant").click()
    expect(page.get_by_role("heading", name="Vérifier les colonnes")).to_be_visible()
    expect(page.locator("select[name=column_0]")).to_have_value("external_id")
    screenshot(page, "import-mapping")
    page.get_by_role("button", name="Importer", exact=True).click()

    # Then the import finishes (the page follows its progress) with three customers
    expect(page.locator("#import-progress .badge")).to_have_text("terminé", timeout=20_000)
    assert Customer.objects.filter(organization=owner.organization).count() == 3

    # And searching the customer list finds Hélène, whose page shows her profile
    page.get_by_role("link", name="Clients", exact=True).click()
    page.get_by_label("Rechercher").fill("Lef")
    expect(page.locator("#customer-rows tbody tr")).to_have_count(1)
    screenshot(page, "customers")
    page.get_by_role("link", name="Hélène Lefèvre").click()
    expect(page.get_by_role("heading", name="Hélène Lefèvre")).to_be_visible()
    expect(page.get_by_text("helene@exemple.fr")).to_be_visible()
    screenshot(page, "customer")
