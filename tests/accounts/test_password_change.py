"""A logged-in person changes their password with the current one; their other sessions end."""

from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import Membership
from tests.conftest import member_client
from tests.factories import PASSWORD

NEW = "Un-nouveau-mot-de-passe-2026"


def _change(client: Client, current: str, new: str = NEW) -> object:
    return client.post(
        reverse("accounts:password_change"),
        {"old_password": current, "new_password1": new, "new_password2": new},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_a_member_changes_the_password_keeps_this_session_and_ends_the_others(owner: Membership) -> None:
    # Given a member logged in on two browsers
    here, elsewhere = member_client(owner), member_client(owner)
    assert elsewhere.get(reverse("customers:overview")).status_code == 200
    # When they change their password on one, giving the current one
    page = here.get(reverse("accounts:password_change"))
    response = _change(here, PASSWORD)
    # Then the page existed, the new password works and the old one no longer does
    assert page.status_code == 200
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert Client().login(email=owner.user.email, password=NEW)
    assert not Client().login(email=owner.user.email, password=PASSWORD)
    # And this browser stays logged in while the other is logged out
    assert here.get(reverse("customers:overview")).status_code == 200
    assert elsewhere.get(reverse("customers:overview")).status_code == 302


def test_the_current_password_is_required(owner: Membership) -> None:
    # Given a logged-in member
    client = member_client(owner)
    # When they give a wrong current password
    response = _change(client, "not-my-password")
    # Then nothing changes and the page says why
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "old password was entered incorrectly" in response.content.decode()  # type: ignore[attr-defined]
    owner.user.refresh_from_db()
    assert owner.user.check_password(PASSWORD)


def test_changing_the_password_needs_to_be_logged_in(db: None) -> None:
    response = Client().get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_user_menu_links_to_the_password_change(owner_client: Client) -> None:
    page = owner_client.get(reverse("customers:overview"))
    assert reverse("accounts:password_change") in page.content.decode()


def test_guessing_the_current_password_is_limited_like_logins(owner: Membership) -> None:
    # Given a session in someone else's hands, who tried five current passwords
    client = member_client(owner)
    for attempt in range(5):
        _change(client, f"guess-{attempt}")
    # When the right one comes
    response = _change(client, PASSWORD)
    # Then it is refused like a login would be
    assert "Too many failed attempts" in response.content.decode()  # type: ignore[attr-defined]
    owner.user.refresh_from_db()
    assert owner.user.check_password(PASSWORD)
