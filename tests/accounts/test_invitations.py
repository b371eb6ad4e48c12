"""Invitations of new members: a mail server that fails keeps the member, and the invitation can
be sent again."""

import re
import socket
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import Membership, Organization, Role
from ecoute.lib.email_url import smtp_mailer
from tests.conftest import member_client
from tests.factories import MembershipFactory
from tests.smtp_sink import SmtpSink


def _messages(response: Any) -> list[str]:
    """The messages the response left for the next page, in the request's language."""
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def unreachable_smtp(settings: pytest.FixtureRequest) -> None:
    """A mail server address where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    settings.MAILERS = {"default": smtp_mailer("127.0.0.1", port, timeout=2)}  # type: ignore[attr-defined]


@pytest.fixture
def invited(org: Organization) -> Membership:
    membership = MembershipFactory.create(organization=org, role=Role.ANALYST, user__email="nadia@maison.fr")
    membership.user.set_unusable_password()
    membership.user.save()
    return membership


def test_when_the_invitation_cannot_be_sent_the_member_stays_and_the_owner_learns_what_to_do(
    owner_client: Client, org: Organization, unreachable_smtp: None
) -> None:
    # Given a mail server that does not answer
    # When the owner adds a new person
    response = owner_client.post(
        reverse("accounts:members"),
        {"email": "nadia@maison.fr", "role": Role.ANALYST},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    # Then the page answers normally and the person is a member
    assert response.status_code == 302
    assert Membership.objects.filter(organization=org, user__email="nadia@maison.fr").exists()
    # And the owner reads that the invitation was not sent, and how the person can get in
    assert _messages(response) == [
        (
            "The invitation to nadia@maison.fr could not be sent. Try again later, or tell them to use "
            "“Forgot your password?” on the login page."
        )
    ]


def test_the_failed_invitation_message_is_in_french_for_a_french_owner(
    owner_client: Client, unreachable_smtp: None
) -> None:
    # Given a mail server that does not answer
    # When an owner who reads French adds a new person
    response = owner_client.post(
        reverse("accounts:members"),
        {"email": "nadia@maison.fr", "role": Role.ANALYST},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    # Then the message is in French, with French typography
    assert "n’a pas pu être envoyée" in _messages(response)[0]
    assert "«\u00a0Mot de passe oublié\u00a0?\u00a0»" in _messages(response)[0]


def test_an_owner_resends_the_invitation_to_a_member_who_has_no_password_yet(
    owner_client: Client, invited: Membership, smtp_sink: SmtpSink
) -> None:
    # Given a member who never chose a password
    # When the owner sends the invitation again from the members page
    page = owner_client.get(reverse("accounts:members"))
    resend_url = reverse("accounts:member_invite", args=[invited.pk])
    assert resend_url in page.content.decode()
    response = owner_client.post(resend_url)
    # Then an invitation reaches the member, with a link that lets them choose a password
    assert response.status_code == 302
    assert [m["X-Envelope-To"] for m in smtp_sink.messages] == ["nadia@maison.fr"]
    body = smtp_sink.messages[0].get_payload(decode=True).decode()  # type: ignore[union-attr]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", body)
    assert link is not None
    client = Client()
    form_page = client.get(link.group(1), follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Bienvenue-chez-nous-42", "new_password2": "Bienvenue-chez-nous-42"},
    )
    assert Client().login(email="nadia@maison.fr", password="Bienvenue-chez-nous-42")


def test_no_invitation_is_resent_to_a_member_who_has_a_password(
    owner_client: Client, org: Organization, smtp_sink: SmtpSink
) -> None:
    # Given a member with a password
    member = MembershipFactory.create(organization=org, role=Role.VIEWER)
    resend_url = reverse("accounts:member_invite", args=[member.pk])
    # When the owner looks at the members page and posts to the resend address anyway
    page = owner_client.get(reverse("accounts:members"))
    response = owner_client.post(resend_url, HTTP_ACCEPT_LANGUAGE="en")
    # Then there was no button, nothing is sent, and the owner is told why
    assert resend_url not in page.content.decode()
    assert smtp_sink.messages == []
    assert "has chosen a password already" in _messages(response)[0]


def test_resending_an_invitation_needs_a_post(owner_client: Client, invited: Membership) -> None:
    # When the owner opens the resend address with a GET
    response = owner_client.get(reverse("accounts:member_invite", args=[invited.pk]))
    # Then nothing is sent: only a form (with its CSRF token) sends invitations
    assert response.status_code == 405


def test_an_admin_resends_invitations_too(
    org: Organization, invited: Membership, smtp_sink: SmtpSink
) -> None:
    # Given an administrator
    client = member_client(MembershipFactory.create(organization=org, role=Role.ADMIN))
    # When they send the invitation again
    client.post(reverse("accounts:member_invite", args=[invited.pk]))
    # Then it reaches the member
    assert [m["X-Envelope-To"] for m in smtp_sink.messages] == ["nadia@maison.fr"]


@pytest.mark.parametrize("role", [Role.ANALYST, Role.AGENT, Role.VIEWER])
def test_members_without_the_right_cannot_resend_invitations(
    org: Organization, invited: Membership, role: str, smtp_sink: SmtpSink
) -> None:
    # Given a member who does not manage members
    client = member_client(MembershipFactory.create(organization=org, role=role))
    # When they try to send an invitation again
    response = client.post(reverse("accounts:member_invite", args=[invited.pk]))
    # Then they are refused, and nothing is sent
    assert response.status_code == 403
    assert smtp_sink.messages == []


def test_resending_fails_gracefully_when_the_mail_server_is_down(
    owner_client: Client, invited: Membership, unreachable_smtp: None
) -> None:
    # Given a mail server that does not answer
    # When the owner sends an invitation again
    response = owner_client.post(
        reverse("accounts:member_invite", args=[invited.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    # Then the page answers normally and says the invitation was not sent
    assert response.status_code == 302
    assert "could not be sent" in _messages(response)[0]
