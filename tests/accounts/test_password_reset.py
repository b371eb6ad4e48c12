"""Password reset by e-mail, through a real SMTP server."""

import re
from typing import Any

from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import Membership, Organization, Role
from tests.factories import PASSWORD, MembershipFactory
from tests.smtp_sink import SmtpSink


def test_a_member_resets_a_forgotten_password_with_the_link_sent_by_email(
    owner: Membership, smtp_sink: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    # When the member asks for a reset
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": owner.user.email})
    assert response.status_code == 302
    # Then one e-mail arrives at the SMTP server, with a link
    assert len(smtp_sink.messages) == 1
    body = smtp_sink.messages[0].get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert smtp_sink.messages[0]["X-Envelope-To"] == owner.user.email
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", body)
    assert link is not None
    # And following it lets the member choose a new password and log in with it
    page = client.get(link.group(1), follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0]
    done = client.post(
        form_url, {"new_password1": "Une-nouvelle-phrase-2026", "new_password2": "Une-nouvelle-phrase-2026"}
    )
    assert done.status_code == 302
    assert Client().login(email=owner.user.email, password="Une-nouvelle-phrase-2026")


def test_asking_a_reset_for_an_unknown_address_sends_nothing_and_says_the_same(
    smtp_sink: SmtpSink, db: None
) -> None:
    response = Client().post(reverse("accounts:password_reset"), {"email": "nobody@example.fr"})
    assert response.status_code == 302
    assert smtp_sink.messages == []


def _reset_link(sink: SmtpSink) -> str:
    body = sink.messages[-1].get_payload(decode=True).decode()  # type: ignore[union-attr]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", body)
    assert link is not None
    return link.group(1)


def test_a_member_without_a_password_yet_gets_a_reset_link(
    org: Organization, smtp_sink: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    # Given a member whose account the operator made without a password
    member = MembershipFactory.create(organization=org, role=Role.VIEWER, user__email="nadia@maison.fr")
    member.user.set_unusable_password()
    member.user.save()
    # When they ask for a reset, typing their address in other capitals
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("accounts:password_reset"), {"email": "Nadia@Maison.FR"})
    # Then a link reaches them, and it lets them choose a password
    assert [m["X-Envelope-To"] for m in smtp_sink.messages] == ["nadia@maison.fr"]
    client = Client()
    page = client.get(_reset_link(smtp_sink), follow=True)
    client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "Enfin-un-mot-de-passe-9", "new_password2": "Enfin-un-mot-de-passe-9"},
    )
    assert Client().login(email="nadia@maison.fr", password="Enfin-un-mot-de-passe-9")


def test_a_deactivated_account_gets_no_reset_link(
    owner: Membership, smtp_sink: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    # Given an account that support deactivated
    owner.user.is_active = False
    owner.user.save()
    # When someone asks for a reset of its address
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(reverse("accounts:password_reset"), {"email": owner.user.email})
    # Then the page says the same as for any address, and nothing is sent
    assert response.status_code == 302
    assert smtp_sink.messages == []


def test_choosing_a_password_through_the_link_lifts_the_lock_of_ones_own_failures(
    owner: Membership, smtp_sink: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    # Given a member who typed five wrong passwords from their own address
    here = "203.0.113.7"
    for attempt in range(5):
        Client().post(
            reverse("accounts:login"),
            {"email": owner.user.email, "password": f"guess-{attempt}"},
            REMOTE_ADDR=here,
        )
    client = Client()
    client.post(
        reverse("accounts:login"), {"email": owner.user.email, "password": PASSWORD}, REMOTE_ADDR=here
    )
    assert "_auth_user_id" not in client.session
    # When they choose a new password with the link sent to their address, from that address
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": owner.user.email}, REMOTE_ADDR=here)
    page = client.get(_reset_link(smtp_sink), follow=True, REMOTE_ADDR=here)
    client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "De-retour-chez-moi-31", "new_password2": "De-retour-chez-moi-31"},
        REMOTE_ADDR=here,
    )
    # Then they log in at once from there
    client.post(
        reverse("accounts:login"),
        {"email": owner.user.email, "password": "De-retour-chez-moi-31"},
        REMOTE_ADDR=here,
    )
    assert "_auth_user_id" in client.session
