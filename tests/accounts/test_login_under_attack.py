"""Guesses from many addresses never lock the owner out: once an account is under attack, a new
address needs a one-time link e-mailed to the account, and every password there gets the same answer."""

import re
from datetime import timedelta
from typing import Any

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ecoute.accounts.models import Membership
from tests.factories import PASSWORD
from tests.smtp_sink import SmtpSink

HOME = "10.20.0.1"


def _login(client: Client, email: str, password: str, address: str, capture: Any = None) -> Any:
    def post() -> Any:
        return client.post(
            reverse("accounts:login"),
            {"email": email, "password": password},
            REMOTE_ADDR=address,
            HTTP_ACCEPT_LANGUAGE="en",
        )

    if capture is None:
        return post()
    with capture(execute=True):
        return post()


def _attack(email: str, settings: Any) -> None:
    """Wrong passwords from many addresses, as many as the account's limit."""
    for attempt in range(settings.LOGIN_ACCOUNT_FAILURES_LIMIT):
        _login(Client(), email, f"guess-{attempt}", f"203.0.113.{attempt}")


def _link(sink: SmtpSink) -> str:
    body = sink.messages[-1].get_payload(decode=True).decode()  # type: ignore[union-attr]
    found = re.search(r"https?://[^/\s]+(/accounts/login/link/\S+/)", body)
    assert found is not None, body
    return found.group(1)


def test_guesses_from_many_addresses_do_not_lock_the_owner_out_of_an_address_they_used(
    owner: Membership, settings: Any
) -> None:
    # Given an owner who logged in from home before
    assert "_auth_user_id" in _login(Client(), owner.user.email, PASSWORD, HOME).wsgi_request.session
    # And many wrong passwords on their account from many addresses, past every limit
    for attempt in range(3 * settings.LOGIN_ACCOUNT_FAILURES_LIMIT):
        _login(Client(), owner.user.email, f"guess-{attempt}", f"198.51.100.{attempt}")
    # When the owner logs in from home
    client = Client()
    _login(client, owner.user.email, PASSWORD, HOME)
    # Then they are in
    assert "_auth_user_id" in client.session


def test_under_attack_a_new_address_logs_in_with_the_link_emailed_to_the_account(
    owner: Membership, settings: Any, smtp_sink: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    # Given an account under attack
    _attack(owner.user.email, settings)
    # When its owner gives the right password from an address they never used
    client = Client()
    response = _login(client, owner.user.email, PASSWORD, "10.30.0.1", django_capture_on_commit_callbacks)
    # Then they are not in yet, and are told to follow the link sent by e-mail
    assert "_auth_user_id" not in client.session
    assert "needs a link sent by e-mail" in response.content.decode()
    assert [m["X-Envelope-To"] for m in smtp_sink.messages] == [owner.user.email]
    # And the link asks to confirm before logging in (mail scanners open links), then logs in
    link = _link(smtp_sink)
    page = client.get(link, REMOTE_ADDR="10.30.0.1")
    assert page.status_code == 200
    assert owner.user.email in page.content.decode()
    assert "_auth_user_id" not in client.session
    done = client.post(link, REMOTE_ADDR="10.30.0.1")
    assert done.status_code == 302
    assert "_auth_user_id" in client.session
    # And from then on that address is known: the password alone logs in there
    again = Client()
    _login(again, owner.user.email, PASSWORD, "10.30.0.1", django_capture_on_commit_callbacks)
    assert "_auth_user_id" in again.session
    assert len(smtp_sink.messages) == 1


def test_under_attack_a_wrong_password_from_a_new_address_gets_the_same_answer_and_no_email(
    owner: Membership, settings: Any, smtp_sink: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    # Given an account under attack
    _attack(owner.user.email, settings)
    capture = django_capture_on_commit_callbacks
    # When the right password and a wrong one come from new addresses, and one for an unknown account
    right = _login(Client(), owner.user.email, PASSWORD, "10.40.0.1", capture)
    wrong = _login(Client(), owner.user.email, "still-guessing", "10.40.0.2", capture)
    _attack("nobody@maison.fr", settings)
    unknown = _login(Client(), "nobody@maison.fr", "anything", "10.40.0.3", capture)
    # Then the three answers say the same, and only the right password sent a link
    messages = [
        re.findall(r'<p class="error"[^>]*>(.*?)</p>', r.content.decode()) for r in (right, wrong, unknown)
    ]
    assert messages[0] == messages[1] == messages[2] != []
    assert [m["X-Envelope-To"] for m in smtp_sink.messages] == [owner.user.email]


def test_a_login_link_works_once_and_for_fifteen_minutes(
    owner: Membership, settings: Any, smtp_sink: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    # Given an account under attack, whose owner received two links from a new address
    _attack(owner.user.email, settings)
    capture = django_capture_on_commit_callbacks
    _login(Client(), owner.user.email, PASSWORD, "10.50.0.1", capture)
    first = _link(smtp_sink)
    _login(Client(), owner.user.email, PASSWORD, "10.50.0.1", capture)
    second = _link(smtp_sink)
    # When the first is used twice
    used = Client()
    used.post(first)
    assert "_auth_user_id" in used.session
    replay = Client()
    response = replay.post(first, HTTP_ACCEPT_LANGUAGE="en")
    # Then the second time it logs no one in
    assert "_auth_user_id" not in replay.session
    assert "no longer works" in response.content.decode()
    # And the second link, sixteen minutes later, has expired
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        late = Client()
        late.post(second)
        assert "_auth_user_id" not in late.session


def test_login_links_to_one_account_are_limited(
    owner: Membership,
    settings: Any,
    smtp_sink: SmtpSink,
    django_capture_on_commit_callbacks: Any,
    clock_mid_window: None,
) -> None:
    # Given an account under attack by someone who knows its password
    _attack(owner.user.email, settings)
    # When the right password comes ten times from new addresses
    for attempt in range(10):
        _login(Client(), owner.user.email, PASSWORD, f"10.60.0.{attempt}", django_capture_on_commit_callbacks)
    # Then the owner's inbox receives three links, no more
    assert len(smtp_sink.messages) == 3
