"""Adding a member sends an invitation the person accepts; the answer is the same whether or not they
have an account, and nobody is attached to an organization without saying yes."""

import re
import socket
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ecoute.accounts.models import Invitation, Membership, Organization, Role, User
from ecoute.lib.email_url import smtp_mailer
from ecoute.lib.tokens import token_digest
from tests.conftest import member_client
from tests.factories import PASSWORD, MembershipFactory
from tests.smtp_sink import SmtpSink

NEW_PASSWORD = "Bienvenue-chez-nous-42"


def _messages(response: Any) -> list[str]:
    """The messages the response left for the next page, in the request's language."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def _invite(client: Client, email: str, role: str = Role.ANALYST, language: str = "en") -> Any:
    return client.post(
        reverse("accounts:members"), {"email": email, "role": role}, HTTP_ACCEPT_LANGUAGE=language
    )


def _link(sink: SmtpSink, index: int = -1) -> str:
    body = sink.messages[index].get_payload(decode=True).decode()  # type: ignore[union-attr]
    found = re.search(r"https?://[^/\s]+(/accounts/invitations/\S+/)", body)
    assert found is not None, body
    return found.group(1)


@pytest.fixture
def unreachable_smtp(settings: pytest.FixtureRequest) -> None:
    """A mail server address where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    settings.MAILERS = {"default": smtp_mailer("127.0.0.1", port, timeout=2)}  # type: ignore[attr-defined]


@pytest.fixture
def elsewhere(other_org: Organization) -> Membership:
    """Someone with an account, a member of another organization."""
    return MembershipFactory.create(organization=other_org, role=Role.OWNER, user__email="nadia@ailleurs.fr")


def test_adding_someone_with_an_account_attaches_nobody_and_shows_them_invited(
    owner_client: Client, org: Organization, elsewhere: Membership, smtp_sink: SmtpSink
) -> None:
    # When the owner adds the address of an existing account
    response = _invite(owner_client, "Nadia@Ailleurs.fr")
    # Then nobody joined the organization: the person is invited, and listed as such
    assert response.status_code == 302
    assert not Membership.objects.filter(organization=org, user=elsewhere.user).exists()
    page = owner_client.get(reverse("accounts:members"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "nadia@ailleurs.fr" in page
    assert "invited" in page
    # And an invitation went to that address
    assert [m["X-Envelope-To"] for m in smtp_sink.messages] == ["nadia@ailleurs.fr"]


def test_the_owner_reads_the_same_answer_whether_or_not_the_account_exists(
    owner_client: Client, elsewhere: Membership, smtp_sink: SmtpSink
) -> None:
    # When the owner invites an address with an account and one without
    known = _messages(_invite(owner_client, "nadia@ailleurs.fr"))
    owner_client.get(reverse("accounts:members"))  # shows, and so clears, the message
    unknown = _messages(_invite(owner_client, "paul@ailleurs.fr"))
    # Then the answers and the e-mails differ only by the address and the token
    assert known == ["An invitation was sent to nadia@ailleurs.fr."]
    assert unknown == ["An invitation was sent to paul@ailleurs.fr."]
    bodies = [m.get_payload(decode=True).decode() for m in smtp_sink.messages]  # type: ignore[union-attr]
    assert re.sub(r"/invitations/\S+/", "", bodies[0]) == re.sub(r"/invitations/\S+/", "", bodies[1])
    assert smtp_sink.messages[0]["Subject"] == smtp_sink.messages[1]["Subject"]


def test_a_new_person_chooses_a_password_accepts_and_lands_in_the_organization(
    owner_client: Client, org: Organization, smtp_sink: SmtpSink
) -> None:
    # Given an invitation to a person without an account
    _invite(owner_client, "paul@maison.fr")
    client = Client()
    link = _link(smtp_sink)
    # When they open the link, then choose their password there
    page = client.get(link, HTTP_ACCEPT_LANGUAGE="en")
    assert "Maison Lumière" in page.content.decode()
    assert not page.context["form"].is_bound
    response = client.post(
        link,
        {"first_name": "Paul", "last_name": "Girard", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    # Then they are logged in, in the organization, with the role given
    assert response.status_code == 302
    assert client.get(reverse("customers:overview")).context["organization"] == org
    membership = Membership.objects.get(organization=org, user__email="paul@maison.fr")
    assert (membership.role, membership.user.first_name) == (Role.ANALYST, "Paul")
    assert Client().login(email="paul@maison.fr", password=NEW_PASSWORD)
    # And the invitation is used up
    assert not Invitation.objects.exists()
    assert Client().get(link).status_code == 404


def test_a_person_with_an_account_logs_in_then_accepts(
    owner_client: Client, org: Organization, elsewhere: Membership, smtp_sink: SmtpSink
) -> None:
    # Given an invitation to someone with an account
    _invite(owner_client, "nadia@ailleurs.fr", Role.VIEWER)
    link = _link(smtp_sink)
    client = Client()
    # When they open the link, they are asked to log in and come back
    page = client.get(link, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    login_url = f"{reverse('accounts:login')}?next={link}"
    assert login_url in page
    assert 'name="password1"' not in page
    client.post(login_url, {"email": "nadia@ailleurs.fr", "password": PASSWORD, "next": link})
    assert client.get(link).status_code == 200
    assert not Membership.objects.filter(organization=org, user=elsewhere.user).exists()
    # And when they accept
    client.post(link)
    # Then they are a viewer of the organization, which is now their current one
    assert Membership.objects.get(organization=org, user=elsewhere.user).role == Role.VIEWER
    assert client.get(reverse("customers:overview")).context["organization"] == org


def test_someone_logged_in_with_another_account_cannot_accept(
    owner_client: Client, org: Organization, smtp_sink: SmtpSink
) -> None:
    # Given an invitation for paul@maison.fr, opened by someone logged in as another person
    _invite(owner_client, "paul@maison.fr")
    stranger = member_client(MembershipFactory.create(role=Role.OWNER, user__email="mallory@ailleurs.fr"))
    link = _link(smtp_sink)
    page = stranger.get(link, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # When they try to accept it
    stranger.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    # Then the page told them it is for someone else, and nobody joined
    assert "paul@maison.fr" in page
    assert "mallory@ailleurs.fr" in page
    assert Membership.objects.filter(organization=org).count() == 1
    assert Invitation.objects.filter(organization=org).exists()


def test_the_token_is_stored_hashed_and_the_link_expires_after_a_week(
    owner_client: Client, org: Organization, smtp_sink: SmtpSink
) -> None:
    # Given an invitation
    _invite(owner_client, "paul@maison.fr")
    link = _link(smtp_sink)
    token = link.rstrip("/").rsplit("/", 1)[-1]
    invitation = Invitation.objects.get(organization=org)
    # Then only the token's digest is stored
    assert invitation.token_hash == token_digest(token)
    assert token not in invitation.token_hash
    assert len(token) >= 40
    # And eight days later the link no longer works
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        client = Client()
        page = client.get(link, HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 404
        assert "no longer works" in page.content.decode()
        client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert not User.objects.filter(email="paul@maison.fr").exists()


def test_an_owner_resends_an_invitation_with_a_new_link_and_the_old_one_stops(
    owner_client: Client, org: Organization, smtp_sink: SmtpSink
) -> None:
    # Given an invitation sent once
    _invite(owner_client, "paul@maison.fr")
    invitation = Invitation.objects.get(organization=org)
    # When the owner sends it again from the members page
    page = owner_client.get(reverse("accounts:members")).content.decode()
    resend = reverse("accounts:invitation_resend", args=[invitation.pk])
    assert resend in page
    response = owner_client.post(resend, HTTP_ACCEPT_LANGUAGE="en")
    # Then a second e-mail leaves with a new link, and only that one works
    assert _messages(response) == ["The invitation was sent again to paul@maison.fr."]
    assert len(smtp_sink.messages) == 2
    assert Client().get(_link(smtp_sink, 0)).status_code == 404
    assert Client().get(_link(smtp_sink, 1)).status_code == 200


def test_an_owner_cancels_an_invitation_and_its_link_stops(
    owner_client: Client, org: Organization, smtp_sink: SmtpSink
) -> None:
    # Given an invitation
    _invite(owner_client, "paul@maison.fr")
    invitation = Invitation.objects.get(organization=org)
    # When the owner cancels it
    owner_client.post(reverse("accounts:invitation_cancel", args=[invitation.pk]))
    # Then it is gone from the page, and its link no longer works
    owner_client.get(reverse("accounts:members"))  # shows, and so clears, the message
    assert "paul@maison.fr" not in owner_client.get(reverse("accounts:members")).content.decode()
    assert Client().get(_link(smtp_sink)).status_code == 404


@pytest.mark.parametrize("role", [Role.ANALYST, Role.AGENT, Role.VIEWER])
def test_members_without_the_right_cannot_resend_or_cancel_invitations(
    owner_client: Client, org: Organization, role: str, smtp_sink: SmtpSink
) -> None:
    # Given an invitation, and a member who does not manage members
    _invite(owner_client, "paul@maison.fr")
    invitation = Invitation.objects.get(organization=org)
    client = member_client(MembershipFactory.create(organization=org, role=role))
    # When they try to send it again, then to cancel it
    resent = client.post(reverse("accounts:invitation_resend", args=[invitation.pk]))
    cancelled = client.post(reverse("accounts:invitation_cancel", args=[invitation.pk]))
    # Then they are refused, nothing is sent and the invitation stays
    assert (resent.status_code, cancelled.status_code) == (403, 403)
    assert len(smtp_sink.messages) == 1
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_an_invitation_stops_working_when_its_sender_loses_the_right_to_give_that_role(
    owner: Membership, org: Organization, smtp_sink: SmtpSink
) -> None:
    # Given an administrator who invited someone, then was made a viewer
    admin = MembershipFactory.create(organization=org, role=Role.ADMIN, user__email="admin@maison.fr")
    _invite(member_client(admin), "paul@maison.fr", Role.ADMIN)
    admin.role = Role.VIEWER
    admin.save()
    # When the person follows the link
    client = Client()
    page = client.get(_link(smtp_sink))
    client.post(_link(smtp_sink), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    # Then it no longer works, and nobody joined
    assert page.status_code == 404
    assert not Membership.objects.filter(user__email="paul@maison.fr").exists()


def test_inviting_a_member_or_someone_invited_already_says_so(
    owner_client: Client, owner: Membership, smtp_sink: SmtpSink
) -> None:
    # Given a pending invitation
    _invite(owner_client, "paul@maison.fr")
    # When the owner adds a member's address, then the invited address again
    member = _invite(owner_client, "Owner@Maison.fr")
    again = _invite(owner_client, "paul@maison.fr")
    # Then neither sends anything, and each says why
    assert "owner@maison.fr is already a member: change their role in the list." in member.content.decode()
    assert "paul@maison.fr is invited already: send the invitation again or cancel it in the list." in (
        again.content.decode()
    )
    assert len(smtp_sink.messages) == 1


def test_when_the_invitation_cannot_be_sent_it_stays_and_the_owner_learns_what_to_do(
    owner_client: Client, org: Organization, unreachable_smtp: None
) -> None:
    # Given a mail server that does not answer
    # When the owner invites someone
    response = _invite(owner_client, "nadia@maison.fr")
    # Then the page answers normally, the invitation waits, and the owner reads what to do
    assert response.status_code == 302
    assert Invitation.objects.filter(organization=org, email="nadia@maison.fr").exists()
    assert _messages(response) == [
        "The invitation to nadia@maison.fr could not be sent. Try again later with “Send again”."
    ]


def test_the_failed_invitation_message_is_in_french_for_a_french_owner(
    owner_client: Client, unreachable_smtp: None
) -> None:
    response = _invite(owner_client, "nadia@maison.fr", language="fr")
    assert "n’a pas pu être envoyée" in _messages(response)[0]
    assert "«\u00a0Renvoyer\u00a0»" in _messages(response)[0]


def test_members_without_the_right_cannot_invite(org: Organization) -> None:
    # Given a viewer
    client = member_client(MembershipFactory.create(organization=org, role=Role.VIEWER))
    # When they try to invite someone
    response = _invite(client, "x@example.fr", Role.OWNER)
    # Then they are refused, and no invitation exists
    assert response.status_code == 403
    assert not Invitation.objects.exists()
