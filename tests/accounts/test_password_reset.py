"""Password reset by e-mail, through a real SMTP server."""

import re

from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import Membership
from tests.smtp_sink import SmtpSink


def test_a_member_resets_a_forgotten_password_with_the_link_sent_by_email(
    owner: Membership, smtp_sink: SmtpSink
) -> None:
    client = Client()
    # When the member asks for a reset
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
