"""Password reset e-mails are limited per account and per address, with the same answer for every
address typed, whether or not it has an account."""

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import Membership
from tests.smtp_sink import SmtpSink


def _ask(email: str, address: str, capture: Any) -> Any:
    with capture(execute=True):
        return Client().post(
            reverse("accounts:password_reset"),
            {"email": email},
            REMOTE_ADDR=address,
            HTTP_ACCEPT_LANGUAGE="en",
        )


def _page(response: Any) -> str:
    """The page without its CSRF tokens, which differ on every answer."""
    return re.sub(r'(value="|X-CSRFToken": ")[A-Za-z0-9]{64}"', r"\1", response.content.decode())


def test_seven_requests_for_one_account_send_three_emails_and_answer_the_same_each_time(
    owner: Membership, smtp_sink: SmtpSink, django_capture_on_commit_callbacks: Any, clock_mid_window: None
) -> None:
    # Given the default limit of three e-mails per account and hour
    # When someone asks seven times in a row for the owner's address, from seven addresses
    answers = [
        _ask(owner.user.email, f"198.51.100.{n}", django_capture_on_commit_callbacks) for n in range(7)
    ]
    # Then the owner receives three e-mails
    assert [m["X-Envelope-To"] for m in smtp_sink.messages] == [owner.user.email] * 3
    # And every request got the same answer
    assert {(a.status_code, a["Location"]) for a in answers} == {
        (302, reverse("accounts:password_reset_done"))
    }


def test_an_address_that_asks_too_often_is_told_to_wait_whatever_the_accounts(
    owner: Membership,
    smtp_sink: SmtpSink,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
    clock_mid_window: None,
) -> None:
    # Given a limit of three requests per address and hour
    settings.PASSWORD_RESET_ADDRESS_LIMIT = 3
    capture = django_capture_on_commit_callbacks
    for n in range(3):
        _ask(f"someone{n}@example.fr", "192.0.2.50", capture)
    # When that address asks for an existing account, then for an unknown one
    known = _ask(owner.user.email, "192.0.2.50", capture)
    unknown = _ask("nobody@example.fr", "192.0.2.50", capture)
    # Then both answers say to wait, alike, and nothing is sent
    assert known.status_code == unknown.status_code == 429
    assert "Too many requests" in known.content.decode()
    assert _page(known).replace(owner.user.email, "nobody@example.fr") == _page(unknown)
    assert smtp_sink.messages == []
    # And another address still gets its e-mail
    _ask(owner.user.email, "192.0.2.51", capture)
    assert [m["X-Envelope-To"] for m in smtp_sink.messages] == [owner.user.email]


@pytest.mark.parametrize("email", ["owner@maison.fr", "nobody@maison.fr"])
def test_the_answer_does_not_tell_whether_the_account_exists(
    owner: Membership, email: str, smtp_sink: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    # When a reset is asked for an address with or without an account
    response = _ask(email, "203.0.113.9", django_capture_on_commit_callbacks)
    # Then the answer is the same page, which says the same thing
    assert response.status_code == 302
    page = Client().get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "If an account has this address" in page.content.decode()


def test_the_account_limit_holds_however_the_address_is_capitalised(
    owner: Membership, smtp_sink: SmtpSink, django_capture_on_commit_callbacks: Any, clock_mid_window: None
) -> None:
    # Given the default limit of three e-mails per account and hour, and the owner's address
    email = owner.user.email
    local, domain = email.split("@")
    # When someone asks seven times, each time capitalising the address differently
    spellings = [email, email.upper(), local.capitalize() + "@" + domain, local + "@" + domain.upper()]
    spellings += [local.upper() + "@" + domain, local.swapcase() + "@" + domain.capitalize(), email.title()]
    for n, spelling in enumerate(spellings):
        _ask(spelling, f"198.51.100.{n}", django_capture_on_commit_callbacks)
    # Then the owner still receives only three e-mails
    assert len(smtp_sink.messages) == 3
