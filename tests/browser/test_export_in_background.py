"""A manager exports a list too long to stream: the page says it is being prepared, follows it while a
real worker writes it, and offers it to download once ready — on a phone in French, on a laptop in
English."""

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer
from python_calamine import CalamineWorkbook

from ecoute.accounts.models import AuditEvent, Membership
from tests.chromium import log_in, screenshot, watched_page
from tests.conftest import subprocess_env
from tests.factories import CustomerFactory
from tests.processes import ecoute, started

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORKER = ecoute(
    "db_worker", "--queue-name", "default", "--interval", "0.2", "--no-startup-delay", "--no-reload"
)
WORDS = {
    "fr": {
        "region": "Région",
        "xlsx": "Exporter en Excel",
        "prepared": "est en cours de préparation",
        "download": "Télécharger",
        "ready": "prêt",
    },
    "en": {
        "region": "Region",
        "xlsx": "Export Excel",
        "prepared": "is being prepared",
        "download": "Download",
        "ready": "ready",
    },
}


@pytest.fixture
def worker(settings: Any, tmp_path: Path) -> Iterator[None]:
    """Lists of more than three rows prepared in the background by a real worker, into a private folder
    of the test."""
    files = tmp_path / "exports"
    settings.EXPORT_STREAM_MAX_ROWS = 3
    settings.EXPORT_FILES_DIR = files
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    env = subprocess_env(TASKS_IMMEDIATE="0", EXPORT_FILES_DIR=str(files))
    with started(WORKER, env, tmp_path / "worker.log"):
        yield


@pytest.mark.usefixtures("worker")
@pytest.mark.parametrize(("language", "width"), [("fr", 390), ("en", 1366)])
def test_a_list_too_long_to_stream_is_prepared_then_downloaded_from_the_exports_page(
    browser: Browser, live_server: LiveServer, owner: Membership, language: str, width: int
) -> None:
    # Given five Breton customers, lists of more than three rows prepared in the background, and a worker
    for number in range(5):
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
        page.set_default_timeout(90_000)
        log_in(page, live_server.url, owner.user.email)
        page.goto(f"{live_server.url}/customers/")

        # When they keep the Breton customers and export them as Excel
        page.get_by_label(words["region"]).select_option("Bretagne")
        expect(page.locator("#customer-rows tbody tr")).to_have_count(5)
        page.get_by_role("link", name=words["xlsx"]).click()

        # Then their exports page says the file is being prepared, and follows it until it is ready
        expect(page).to_have_url(f"{live_server.url}/exports/")
        expect(page.locator(".messages")).to_contain_text(words["prepared"])
        link = page.get_by_role("link", name=words["download"])
        # (a worker on a loaded machine may take a while to start)
        expect(link).to_be_visible(timeout=180_000)
        expect(page.locator("#export-rows tbody tr")).to_have_count(1)
        expect(page.locator("#export-rows tbody")).to_contain_text(words["ready"])
        expect(page.locator("#export-rows tbody")).to_contain_text("Bretagne")
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        screenshot(page, f"exports-in-background-{name}-{language}")

        # And the file downloads: the five Breton customers, as a workbook
        with page.expect_download() as download:
            link.click()
        assert download.value.suggested_filename.endswith(".xlsx")
        body = Path(download.value.path()).read_bytes()
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0).to_python()
    assert sorted(row[2] for row in sheet[1:]) == [f"BZH-{number}" for number in range(5)]
    # And the audit log holds the request and the download
    assert sorted(AuditEvent.objects.values_list("action", "row_count")) == [("download", 5), ("export", 5)]
