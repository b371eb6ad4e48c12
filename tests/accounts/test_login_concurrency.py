"""Parallel guesses against the live server check no more passwords than the limit allows."""

import re
import threading
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest
from pytest_django.live_server_helper import LiveServer

from ecoute.accounts.models import Membership

pytestmark = pytest.mark.django_db(transaction=True)

PARALLEL = 20


def _guess(url: str, email: str, password: str, barrier: threading.Barrier, answers: list[str]) -> None:
    """One browser: open the login page, wait for the others, then post a password at the same time."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    opener.addheaders = [("Accept-Language", "en")]
    page = opener.open(url, timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "email": email, "password": password}
    ).encode()
    barrier.wait()
    answers.append(opener.open(url, data=body, timeout=60).read().decode())


def test_twenty_parallel_guesses_check_at_most_the_limit_of_passwords(
    live_server: LiveServer, owner: Membership, settings: object
) -> None:
    # Given the limit of five failures per account and address
    assert settings.LOGIN_FAILURES_LIMIT == 5  # type: ignore[attr-defined]
    url = f"{live_server.url}/accounts/login/"
    barrier = threading.Barrier(PARALLEL)
    answers: list[str] = []
    # When twenty wrong passwords arrive at once from one address
    threads = [
        threading.Thread(target=_guess, args=(url, owner.user.email, f"guess-{n}", barrier, answers))
        for n in range(PARALLEL)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then every request got one of the login page's answers, and at most five passwords were checked:
    # a checked one answers "do not match", or, once the account's failures from everywhere add up to
    # an attack, "a link sent by e-mail"; a refused one was not checked
    assert len(answers) == PARALLEL
    wrong = sum("do not match" in answer for answer in answers)
    confirm = sum("needs a link sent by e-mail" in answer for answer in answers)
    refused = sum("Too many failed attempts" in answer for answer in answers)
    assert wrong + confirm + refused == PARALLEL
    assert wrong + confirm <= 5
