"""Sending the outbox to a real SMTP server: one connection per batch, everything checked again at send
time, temporary errors retried later, permanent ones kept with the address suppressed."""

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer
from ecoute.lib.email_url import smtp_mailer
from ecoute.lib.process_identity import this_process
from ecoute.lib.tokens import token_digest
from ecoute.messaging import send_rules
from ecoute.messaging.actions import set_do_not_contact
from ecoute.messaging.models import Message, Suppression
from ecoute.messaging.send_rules import Refusal
from ecoute.messaging.sending import claim_batch, send_due_messages
from tests.factories import ConsentFactory, CustomerFactory
from tests.messaging.conftest import queue_invitation, unsubscribe_link
from tests.processes import free_port
from tests.smtp_sink import SmtpSink

pytestmark = pytest.mark.usefixtures("waiting_tasks")


def _customers(org: Organization, count: int) -> list[Customer]:
    customers = CustomerFactory.create_batch(count, organization=org)
    for customer in customers:
        ConsentFactory.create(customer=customer)
    return customers


def test_a_batch_is_sent_over_one_connection(org: Organization, smtp_sink: SmtpSink, settings: Any) -> None:
    # Given 25 queued messages and batches of 10
    settings.OUTBOX_BATCH_SIZE = 10
    for number, customer in enumerate(_customers(org, 25)):
        queue_invitation(customer, key=f"invitation:{number}")
    # When one pass sends them
    report = send_due_messages()
    # Then every message arrived once, over three connections (one per batch)
    assert report.sent == 25
    assert len({m["Message-ID"] for m in smtp_sink.messages}) == len(smtp_sink.messages) == 25
    assert smtp_sink.connections == 3
    assert set(Message.objects.values_list("status", "claimed_by")) == {("sent", "")}


def test_the_message_has_a_text_and_an_html_part_and_the_outboxs_message_id(
    customer: Customer, smtp_sink: SmtpSink
) -> None:
    message = queue_invitation(customer, headers={"Message-ID": "<mine@example.fr>", "X-Survey": "nps"})
    send_due_messages()
    [received] = smtp_sink.messages
    assert (received["Message-ID"], received["X-Survey"]) == (message.message_id, "nps")
    assert received["To"] == "jeanne@example.fr"
    assert received["Content-Language"] == "fr"
    types = [part.get_content_type() for part in received.walk()]
    assert types == ["multipart/alternative", "text/plain", "text/html"]


def test_a_message_under_a_consent_carries_a_one_click_unsubscribe_link_stored_hashed(
    customer: Customer, smtp_sink: SmtpSink
) -> None:
    # When a survey invitation, queued under the e-mail/surveys consent, is sent
    message = queue_invitation(customer)
    send_due_messages()
    # Then it carries the List-Unsubscribe headers of RFC 8058
    [received] = smtp_sink.messages
    link = unsubscribe_link(received)
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = link.removeprefix("/u/")
    assert len(token) >= 22  # at least 128 random bits, URL-safe
    # And the bodies' placeholder became that link
    parts = [part.get_payload(decode=True) for part in received.walk() if not part.is_multipart()]
    text, html = (part.decode() for part in parts if isinstance(part, bytes))
    assert f"Se désabonner : http://localhost:8000{link}" in text
    assert f'href="http://localhost:8000{link}"' in html
    # And the outbox keeps only the token's SHA-256, nowhere the token itself
    message.refresh_from_db()
    assert message.unsubscribe_token_hash == token_digest(token)
    stored = [str(getattr(message, f.attname)) for f in Message._meta.concrete_fields]
    assert not [value for value in stored if token in value]


def test_consent_withdrawn_after_queueing_suppresses_the_message(
    customer: Customer, smtp_sink: SmtpSink
) -> None:
    # Given an invitation queued while the customer consented
    message = queue_invitation(customer)
    # When the customer withdraws the consent before it leaves
    ConsentFactory.create(customer=customer, granted=False)
    send_due_messages()
    # Then nothing is sent, and the message says why
    message.refresh_from_db()
    assert (message.status, message.status_reason) == ("suppressed", "no_consent")
    assert smtp_sink.messages == []


def test_a_customer_without_any_consent_gets_nothing(org: Organization, smtp_sink: SmtpSink) -> None:
    customer = CustomerFactory.create(organization=org)
    message = queue_invitation(customer)
    send_due_messages()
    message.refresh_from_db()
    assert (message.status, message.status_reason) == ("suppressed", "no_consent")


def test_do_not_contact_set_after_queueing_suppresses_the_message(
    customer: Customer, smtp_sink: SmtpSink
) -> None:
    message = queue_invitation(customer)
    set_do_not_contact(customer, True, None)
    send_due_messages()
    message.refresh_from_db()
    assert (message.status, message.status_reason) == ("suppressed", "do_not_contact")
    assert smtp_sink.messages == []


def test_a_suppressed_address_gets_nothing_whatever_its_case(customer: Customer, smtp_sink: SmtpSink) -> None:
    Suppression.objects.create(
        organization=customer.organization, address=" Jeanne@EXAMPLE.fr", reason="complaint"
    )
    message = queue_invitation(customer, to_address="Jeanne@Example.fr")
    send_due_messages()
    message.refresh_from_db()
    assert (message.status, message.status_reason) == ("suppressed", "complaint")


def test_a_registered_rule_cancels_or_postpones_at_send_time(org: Organization, smtp_sink: SmtpSink) -> None:
    # Given a rule that refuses one customer and postpones another
    first, second, third = _customers(org, 3)
    later = timezone.now() + timedelta(hours=2)

    def pressure(message: Message) -> Refusal | None:
        if message.customer_id == first.pk:
            return Refusal("pressure")
        if message.customer_id == second.pk:
            return Refusal("quiet_hours", retry_at=later)
        return None

    messages = [queue_invitation(c, key=f"k{c.pk}") for c in (first, second, third)]
    send_rules.register(pressure)
    try:
        send_due_messages()
    finally:
        send_rules.unregister(pressure)
    # Then the first is cancelled, the second waits for its time, the third left
    states = [Message.objects.values_list("status", "status_reason").get(pk=m.pk) for m in messages]
    assert states == [("cancelled", "pressure"), ("queued", "quiet_hours"), ("sent", "")]
    assert Message.objects.get(pk=messages[1].pk).next_attempt_at == later
    assert len(smtp_sink.messages) == 1


def test_a_temporary_refusal_is_retried_later_with_a_doubling_delay(
    customer: Customer, smtp_sink: SmtpSink, settings: Any
) -> None:
    # Given a server that answers "try again later" for the recipient
    settings.OUTBOX_RETRY_SECONDS = 60
    smtp_sink.refuse("jeanne@example.fr", "451 4.3.0 Mailbox busy")
    message = queue_invitation(customer)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        send_due_messages()
        # Then the message waits a minute, with the server's answer kept
        message.refresh_from_db()
        assert (message.status, message.attempts) == ("queued", 1)
        assert message.last_error == "451 4.3.0 Mailbox busy"
        assert message.next_attempt_at == timezone.now() + timedelta(seconds=60)
        # And a pass before that minute does not try again
        assert send_due_messages().retried == 0
        # And the second failure waits two minutes
        clock.shift(61)
        send_due_messages()
        message.refresh_from_db()
        assert (message.attempts, message.next_attempt_at) == (2, timezone.now() + timedelta(seconds=120))
        # And once the server takes it, it is sent
        smtp_sink.refuse("jeanne@example.fr", "")
        clock.shift(121)
        send_due_messages()
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 3)
    assert message.last_error == "451 4.3.0 Mailbox busy"
    assert len(smtp_sink.messages) == 1


def test_a_server_that_cannot_be_reached_leaves_the_batch_for_later(org: Organization, settings: Any) -> None:
    # Given no mail server on the configured port
    settings.MAILERS = {"default": smtp_mailer("127.0.0.1", free_port(), timeout=2)}
    for number, customer in enumerate(_customers(org, 3)):
        queue_invitation(customer, key=f"k{number}")
    # When a pass runs
    report = send_due_messages()
    # Then every message waits for a next attempt, with the error kept
    assert (report.sent, report.retried) == (0, 3)
    for message in Message.objects.all():
        assert (message.status, message.attempts) == ("queued", 1)
        assert "ConnectionRefusedError" in message.last_error
        assert message.next_attempt_at > timezone.now()


def test_too_many_temporary_failures_fail_the_message(
    customer: Customer, smtp_sink: SmtpSink, settings: Any
) -> None:
    settings.OUTBOX_MAX_ATTEMPTS = 2
    smtp_sink.refuse("jeanne@example.fr", "421 4.7.0 Try again later")
    message = queue_invitation(customer)
    send_due_messages()
    Message.objects.update(next_attempt_at=timezone.now())
    send_due_messages()
    message.refresh_from_db()
    assert (message.status, message.status_reason, message.attempts) == ("failed", "too_many_attempts", 2)


def test_a_permanent_refusal_of_the_recipient_fails_and_suppresses_the_address(
    customer: Customer, smtp_sink: SmtpSink
) -> None:
    # Given a server that says the mailbox does not exist, and another message after it
    smtp_sink.refuse("jeanne@example.fr", "550 5.1.1 No such user")
    message = queue_invitation(customer)
    [other] = _customers(customer.organization, 1)
    queue_invitation(other, key="invitation:other")
    # When they are sent
    send_due_messages()
    # Then the other one went, over the same connection
    assert [m["To"] for m in smtp_sink.messages] == [other.email]
    assert smtp_sink.connections == 1
    # Then the message failed with the answer kept, and the address bounces hard from now on
    message.refresh_from_db()
    assert (message.status, message.status_reason) == ("failed", "refused_by_server")
    assert message.last_error == "550 5.1.1 No such user"
    bounce = Suppression.objects.get()
    assert (bounce.address, bounce.reason, bounce.customer) == ("jeanne@example.fr", "hard_bounce", None)
    # And a later message to that address is suppressed without reaching the server
    later = queue_invitation(customer, key="invitation:2")
    send_due_messages()
    later.refresh_from_db()
    assert (later.status, later.status_reason) == ("suppressed", "hard_bounce")


def test_a_message_claimed_by_a_live_sender_is_not_taken_by_another(customer: Customer) -> None:
    # Given a message claimed by a sender whose lease runs
    message = queue_invitation(customer)
    assert [m.pk for m in claim_batch(this_process())] == [message.pk]
    # Then another sender finds nothing to claim
    assert claim_batch(this_process()) == []


def test_a_message_of_a_sender_whose_lease_ran_out_is_taken_over(
    customer: Customer, smtp_sink: SmtpSink
) -> None:
    message = queue_invitation(customer)
    claim_batch("elsewhere|1|2|3")
    Message.objects.update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert send_due_messages().sent == 1
    message.refresh_from_db()
    assert message.status == "sent"


def test_outbox_send_sends_the_due_messages_of_one_organization(
    customer: Customer, other_org: Organization, smtp_sink: SmtpSink, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given messages due in two organizations
    queue_invitation(customer)
    other = CustomerFactory.create(organization=other_org)
    ConsentFactory.create(customer=other)
    queue_invitation(other)
    # When the command sends those of one
    call_command("outbox", "send", "--org", customer.organization.slug)
    # Then only that one's left, and it says so
    assert Message.objects.filter(status="sent").get().organization == customer.organization
    assert "1" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("reply", "status", "attempts"),
    [("554 5.7.1 Message refused", "failed", 1), ("452 4.3.1 Insufficient storage", "queued", 1)],
)
def test_a_refusal_after_the_final_dot_undoes_the_sent_mark(
    customer: Customer, smtp_sink: SmtpSink, reply: str, status: str, attempts: int
) -> None:
    # Given a server that refuses the message once it has all of it
    smtp_sink.refuse_data("jeanne@example.fr", reply)
    message = queue_invitation(customer)
    # When it is sent
    report = send_due_messages()
    # Then the message is not recorded as sent: it failed or waits for another attempt, with the answer
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (status, attempts, reply)
    assert (message.sent_at, message.claimed_by) == (None, "")
    assert report.sent == 0
    # And the address is not suppressed: the server refused the content, not the recipient
    assert not Suppression.objects.exists()


def test_a_mailer_other_than_smtp_gets_the_message_once_marked_sent(
    customer: Customer, mailoutbox: list[Any]
) -> None:
    # Given the memory mailer of Django's tests (EMAIL_URL=memory://), which has no SMTP conversation
    message = queue_invitation(customer)
    # When the outbox is sent
    assert send_due_messages().sent == 1
    # Then the mailer got the message with its headers, and it is recorded as sent
    [received] = mailoutbox
    assert received.extra_headers["Message-ID"] == message.message_id
    assert received.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    message.refresh_from_db()
    assert message.status == "sent"


def test_a_message_that_cannot_be_written_fails_without_stopping_the_batch(
    org: Organization, smtp_sink: SmtpSink
) -> None:
    # Given a message whose address the mail library refuses, queued before a good one
    first, second = _customers(org, 2)
    bad = queue_invitation(first, key="bad", to_address="é@exemple.fr")
    queue_invitation(second, key="good")
    # When the outbox is sent
    report = send_due_messages()
    # Then the bad one failed with the reason, and the good one left
    bad.refresh_from_db()
    assert (bad.status, bad.status_reason) == ("failed", "invalid_message")
    assert "non-ASCII" in bad.last_error
    assert (report.sent, report.failed) == (1, 1)
    assert [m["To"] for m in smtp_sink.messages] == [second.email]
