"""Every page a logged-in owner can open, and every public page, laid out on a phone (390 px) and on a
laptop (1366 px), in French and in English: nothing wider than the screen, no text cut off in a menu,
a button, a badge or the navigation, every label in the page's language, counted nouns and amounts
written as the language writes them. The pages are read from Django's resolver, so that a page added
later is walked too; a page whose sample the walk lacks fails it rather than being left out."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import trans_real
from playwright.sync_api import Browser, Page, ViewportSize
from pytest_django.live_server_helper import LiveServer

from ecoute.accounts.models import Membership
from tests.browser.sample_site import SampleSite, seed_sample_site
from tests.chromium import PHONE, log_in, screenshot, watched_page
from tests.conftest import member_client
from tests.url_patterns import named_patterns

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.errors.urls"),  # the product's pages, and one that fails for the 500 page
]

LAPTOP: ViewportSize = {"width": 1366, "height": 768}
CHECKS = (Path(__file__).parent / "layout_checks.js").read_text(encoding="utf-8")
# Patterns that are not the product's pages, and why.
NOT_PAGES = {
    "admin:": "Django's admin, for support staff",
    "api:": "the API answers JSON; its documentation is Swagger UI's page, see test_api_docs.py",
}
# Pages for people who are not logged in: a visitor, a respondent, a customer leaving a mailing list.
PUBLIC = {
    "accounts:login", "accounts:login_link", "accounts:password_reset", "accounts:password_reset_done",
    "accounts:password_reset_confirm", "accounts:password_reset_complete", "accounts:invitation_accept",
    "listening:answer", "listening:answer_score", "listening:public_answer", "messaging:unsubscribe",
    "accounts:no_organization",
}  # fmt: skip
# Public pages that answer with an error status, as they should.
PUBLIC_STATUS = {"accounts:no_organization": 403}
ERROR_PAGES = {"/refused/": 400, "/forbidden/": 403, "/nowhere/": 404, "/failing/": 500}
# Words ending in s that French writes the same in the singular ("1 mois", "0 avis"), and words that
# are no noun.
INVARIABLE = {
    "mois",
    "fois",
    "avis",
    "pays",
    "prix",
    "temps",
    "cas",
    "accès",
    "succès",
    "mars",
    "jours ouvrés",
    # words after a number that are no noun at all: "1 dans le groupe témoin"
    "dans",
    "sans",
    "plus",
    "après",
    "depuis",
    "vers",
    "sous",
}


def _words_of_each_language() -> dict[str, set[str]]:
    """Labels only English writes (a msgid French always translates otherwise), and only French writes."""
    catalog = trans_real.translation("fr")._catalog  # type: ignore[attr-defined]
    # "customer status\x04active": a msgid in its context
    pairs = [(k.split("\x04")[-1].strip(), v.strip()) for k, v in catalog.items() if isinstance(k, str) and v]
    english, french = {k for k, _v in pairs}, {v for _k, v in pairs}
    return {"fr": english - french, "en": french - english}


FOREIGN = _words_of_each_language()  # the labels a page in each language must not show

# The page's language, its labels (title, headings, menus, buttons…) and its text, charts' included.
WORDING_JS = """() => [document.documentElement.lang, [document.title.replace(/ · Écoute$/, ''),
  ...[...document.querySelectorAll('h1, h2, h3, th, label, legend, button, .button, nav a, option, summary,'
     + ' .badge, .stat-label, dt')].filter(el => el.closest('[lang]') === document.documentElement
     && !el.closest('[translate=no]'))
     .map(el => el.textContent),
  ...[...document.querySelectorAll('[placeholder], [aria-label]')].map(el =>
     el.getAttribute('placeholder') || el.getAttribute('aria-label'))
].map(text => text.replace(/\\s+/g, ' ').trim()).filter(Boolean),
  [document.body.innerText, ...[...document.querySelectorAll('svg text')].map(t => t.textContent)]
    .join('\\n')]"""


# Every chart drawn, and two frames gone by so that a change of width has been followed.
CHARTS_DRAWN_JS = """() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() =>
  done([...document.querySelectorAll('[data-chart]')].every(chart => chart.dataset.chartState)))))"""


def _wording_problems(page: Page) -> list[str]:
    """Labels of the other language, and numbers, amounts and months not written as the page's
    language (its <html lang>) writes them."""
    language, labels, text = page.evaluate(WORDING_JS)
    problems = [f"«{label}» is not in the page's language" for label in labels if label in FOREIGN[language]]
    if language == "fr":
        for number, word in re.findall(
            r"(?<![\d,.\u00a0\u202f])\b([01])[\s\u00a0\u202f]+([a-zàâçéèêëîïôûù]+s)\b", text
        ):
            if word not in INVARIABLE:
                problems.append(f"«{number} {word}»: French writes 0 and 1 in the singular")
        problems += [f"«{m}»: French writes «100 k€»" for m in re.findall(r"\d+\s+(?:k|M|Md)\s+€", text)]
        problems += [
            f"«{m}» is not how French abbreviates a month"
            for m in re.findall(r"\b[A-Z][a-zéû]{2} \d{4}", text)
        ]
    else:
        problems += [
            f"«1 {word}»: English writes «1 day»"
            for word in re.findall(r"(?<![\d,.])\b1 ([a-z]+s)\b", text)
            if not word.endswith(("ss", "us", "is")) and word not in {"has", "was", "does", "its"}
        ]
    problems += [
        f"«{m}»: amounts go through the money format" for m in re.findall(r"\d[\d.,]*\s?EUR\b", text)
    ]
    return problems


def _kinds_of_answer(client: Client, url: str) -> str:
    """What a GET of `url` is for the owner: a page, a file to download, or the address of a button."""
    response = client.get(url)
    if response.status_code == 405:
        return "button"
    assert response.status_code == 200, f"GET {url} answers {response.status_code}: give the walk a sample"
    html = response["Content-Type"].startswith("text/html") and not response.has_header("Content-Disposition")
    return "page" if html else "file"


def _addresses(site: SampleSite, owner: Client) -> tuple[dict[str, str], dict[str, str]]:
    """Every named page: (the owner's, the public ones), each by pattern name."""
    owners, public = {}, {}
    for name, _route, params in named_patterns():
        if any(name.startswith(prefix) or name == prefix for prefix in NOT_PAGES):
            continue
        url = reverse(name, kwargs=site.kwargs(name, params))
        if name in PUBLIC:
            public[name] = url
        elif _kinds_of_answer(owner, url) == "page":
            owners[name] = url
    return owners, public


def _look_at(page: Page, url: str, shot: str, language: str, status: int = 200) -> list[str]:
    """Open `url` once, then lay it out on a laptop and on a phone (the page's own script, charts
    included, follows the width as it does when a reader turns a tablet)."""
    response = page.goto(url, wait_until="domcontentloaded")
    assert response is not None, url
    assert response.status == status, f"{url} answers {response.status}"
    problems = []
    for viewport in (LAPTOP, PHONE):
        page.set_viewport_size(viewport)
        page.wait_for_function(CHARTS_DRAWN_JS)
        found = page.evaluate(CHECKS) + _wording_problems(page)
        problems += [f"{url} at {viewport['width']} px in {language}: {p}" for p in found]
        screenshot(page, f"walk-{language}-{viewport['width']}-{shot}")
    return problems


@pytest.fixture
def sample_site(owner: Membership, settings: pytest.FixtureRequest, tmp_path: Path) -> SampleSite:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    settings.EXPORT_FILES_DIR = tmp_path / "exports"  # type: ignore[attr-defined]
    return seed_sample_site(owner)


@contextmanager
def _owner_page(browser: Browser, site: str, owner: Membership, language: str) -> Iterator[Page]:
    """The owner logged in, in `language`: one browser context for all their pages."""
    with watched_page(browser, locale="fr-FR", answering=ERROR_PAGES.values()) as page:
        log_in(page, site, owner.user.email)
        if language == "en":
            page.select_option("#language-switch", "en")
            page.wait_for_function(CHARTS_DRAWN_JS)
        yield page


def test_every_page_fits_a_phone_and_a_laptop_in_french_and_english(
    browser: Browser, live_server: LiveServer, owner: Membership, sample_site: SampleSite
) -> None:
    # Given an organization with one of everything, and the addresses of every page from the resolver
    owners, public = _addresses(sample_site, member_client(owner))
    assert len(owners) >= 25
    assert len(public) == len(PUBLIC)
    problems: list[str] = []
    for language in ("fr", "en"):
        # When its owner opens each of their pages, on a phone and on a laptop
        with _owner_page(browser, live_server.url, owner, language) as page:
            assert page.evaluate("document.documentElement.lang") == language
            for name, url in owners.items():
                problems += _look_at(page, live_server.url + url, name.replace(":", "-"), language)
            for url, status in ERROR_PAGES.items():
                problems += _look_at(page, live_server.url + url, f"error-{status}", language, status)
        # And a visitor opens each public page, in a browser speaking the language
        locale = "fr-FR" if language == "fr" else "en-GB"
        answering = {*PUBLIC_STATUS.values(), *ERROR_PAGES.values()}
        with watched_page(browser, answering=answering, locale=locale) as visitor:
            for name, url in public.items():
                shot, status = name.replace(":", "-"), PUBLIC_STATUS.get(name, 200)
                problems += _look_at(visitor, live_server.url + url, shot, language, status)
            for url, status in ERROR_PAGES.items():
                shot = f"visitor-error-{status}"
                problems += _look_at(visitor, live_server.url + url, shot, language, status)
    # Then no page overflows, cuts a label off or mixes languages
    assert problems == [], "\n".join(problems)
