"""Debian's Chromium (/usr/bin/chromium) as the browser tests drive it with Playwright: ONE browser per
test process (the `browser` fixture of tests/conftest.py), since Playwright's sync API cannot run twice
at once in a thread."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, ViewportSize, sync_playwright

from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip
PHONE: ViewportSize = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[1] / "var" / "screenshots"


def launched_browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@contextmanager
def watched_page(browser: Browser, answering: Iterable[int] = (), **context: Any) -> Iterator[Page]:
    """A page in a browser context of its own (`context`: viewport, locale, touch…); a console error or
    an uncaught exception on it fails the test (a page that breaks its own Content-Security-Policy
    shows it there), except Chromium's note of a page answering one of the statuses of `answering`
    (the test opens an error page on purpose)."""
    opened = browser.new_context(**context)
    page = opened.new_page()
    errors: list[str] = []
    expected = tuple(f"the server responded with a status of {status} " for status in answering)

    def note(message: ConsoleMessage) -> None:
        if message.type == "error" and not any(status in message.text for status in expected):
            errors.append(message.text)

    page.on("console", note)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    opened.close()
    assert errors == [], errors


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page: Page, site: str, email: str) -> None:
    """Log in on the French login page of `site` with the test accounts' password."""
    page.goto(f"{site}/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
