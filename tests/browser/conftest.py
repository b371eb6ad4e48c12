"""A real Chromium (Debian's /usr/bin/chromium) driven by Playwright, against the live test server."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.chromium import watched_page


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with watched_page(browser, viewport={"width": 1280, "height": 900}, locale="fr-FR") as page:
        yield page
