"""The unsubscribe link of every e-mail sent under a consent: a page in the customer's language, a
button, and RFC 8058 one-click from the mail provider, both withdrawing the consent in the log."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from ecoute.customers.models import Consent, Customer
from ecoute.messaging.models import Message
from ecoute.messaging.sending import send_due_messages
from tests.messaging.conftest import queue_invitation, unsubscribe_link
from tests.smtp_sink import SmtpSink

pytestmark = pytest.mark.usefixtures("waiting_tasks")


@pytest.fixture
def sent(smtp_sink: SmtpSink) -> Callable[[Message], str]:
    """Send a queued message; the path of its unsubscribe link."""

    def send(message: Message) -> str:
        send_due_messages()
        [received] = [m for m in smtp_sink.messages if m["Message-ID"] == message.message_id]
        return unsubscribe_link(received)

    return send


def _withdrawals(customer: Customer) -> list[tuple[str, str, bool, str]]:
    return list(
        Consent.objects.filter(customer=customer, granted=False).values_list(
            "channel", "purpose", "granted", "source"
        )
    )


def test_the_link_shows_a_page_in_the_customers_language_with_a_button(
    customer: Customer, sent: Callable[[Message], str]
) -> None:
    # Given an invitation to a French-speaking customer, opened in an English browser
    link = sent(queue_invitation(customer))
    response = Client().get(link, HTTP_ACCEPT_LANGUAGE="en")
    # Then the page speaks French and offers a button, and nothing is withdrawn yet
    page = response.content.decode()
    assert response.status_code == 200
    assert "Se désabonner" in page
    assert "Maison Lumière" in page
    assert 'method="post"' in page
    assert _withdrawals(customer) == []


def test_the_page_speaks_english_to_an_english_speaking_customer(
    customer: Customer, sent: Callable[[Message], str]
) -> None:
    customer.language = "en"
    customer.save()
    response = Client().get(sent(queue_invitation(customer, language="en")), HTTP_ACCEPT_LANGUAGE="fr")
    assert "You will no longer receive e-mails from Maison Lumière for surveys." in response.content.decode()


def test_the_button_withdraws_the_consent_by_appending_to_the_log(
    customer: Customer, sent: Callable[[Message], str]
) -> None:
    # Given the page of the link, in a browser that checks CSRF tokens
    link = sent(queue_invitation(customer))
    browser = Client(enforce_csrf_checks=True)
    browser.get(link)
    # When the customer presses the button
    response = browser.post(link, {"List-Unsubscribe": "One-Click"})
    # Then a withdrawal of e-mail surveys is appended to the consent log, and the customer is told
    assert response.status_code == 200
    assert "Vous êtes désabonné" in response.content.decode()
    assert _withdrawals(customer) == [("email", "surveys", False, "unsubscribe link")]
    assert Consent.objects.filter(customer=customer).count() == 2
    customer.refresh_from_db()
    assert customer.email_consent is False


def test_one_click_from_the_mail_provider_works_without_page_or_csrf_token(
    customer: Customer, sent: Callable[[Message], str]
) -> None:
    # When a mail provider posts the RFC 8058 body to the link, with no cookie and no token
    link = sent(queue_invitation(customer))
    response = Client(enforce_csrf_checks=True).post(
        link, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    # Then the consent is withdrawn
    assert response.status_code == 200
    assert _withdrawals(customer) == [("email", "surveys", False, "unsubscribe link")]


def test_unsubscribing_twice_records_one_withdrawal(
    customer: Customer, sent: Callable[[Message], str]
) -> None:
    first, second = queue_invitation(customer, key="a"), queue_invitation(customer, key="b")
    client = Client()
    for link in (sent(first), sent(first), sent(second)):
        assert client.post(link, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert len(_withdrawals(customer)) == 1


def test_a_consent_given_again_after_unsubscribing_is_withdrawn_again_by_the_link(
    customer: Customer, sent: Callable[[Message], str]
) -> None:
    link = sent(queue_invitation(customer))
    Client().post(link)
    Consent.objects.create(
        organization=customer.organization,
        customer=customer,
        channel="email",
        purpose="surveys",
        granted=True,
    )
    Client().post(link)
    assert len(_withdrawals(customer)) == 2


@pytest.mark.parametrize("token", ["unknown-token", "x" * 500, "%00"])
def test_an_unknown_token_answers_a_404_page(customer: Customer, token: str) -> None:
    queue_invitation(customer)
    for method in ("get", "post"):
        response = getattr(Client(), method)(f"/u/{token}")
        assert response.status_code == 404
        assert "Ce lien ne fonctionne pas" in response.content.decode()
    assert _withdrawals(customer) == []


def test_the_link_of_a_message_without_consent_is_unknown(customer: Customer) -> None:
    # Given a notice with no consent, which therefore has no unsubscribe link
    message = queue_invitation(customer, consent_channel="", consent_purpose="", purpose="notice")
    assert message.unsubscribe_token_hash is None
    assert Client().get("/u/").status_code == 404


@pytest.mark.usefixtures("clock_mid_window")
def test_guessing_links_is_rate_limited_per_address_without_refusing_good_links(
    customer: Customer, settings: Any, sent: Callable[[Message], str]
) -> None:
    # Given a limit of three requests a minute
    settings.UNSUBSCRIBE_RATE_LIMIT = 3
    link = sent(queue_invitation(customer))
    client = Client()
    # When a fourth unknown link comes from the same address
    answers = [client.get(f"/u/guess-{n}").status_code for n in range(4)]
    # Then it is refused with a page and a delay
    assert answers == [404, 404, 404, 429]
    response = client.get("/u/guess-5")
    assert int(response["Retry-After"]) > 0
    assert "Trop de demandes" in response.content.decode()
    # And a good link still works from that address (a mail provider posts many customers' one-clicks)
    assert client.post(link).status_code == 200
    assert len(_withdrawals(customer)) == 1


@pytest.mark.usefixtures("clock_mid_window")
def test_one_link_is_rate_limited(customer: Customer, settings: Any, sent: Callable[[Message], str]) -> None:
    settings.UNSUBSCRIBE_RATE_LIMIT = 3
    link = sent(queue_invitation(customer))
    answers = [Client(REMOTE_ADDR=f"10.0.0.{n}").get(link).status_code for n in range(4)]
    assert answers == [200, 200, 200, 429]
