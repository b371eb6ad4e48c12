"""Queueing a message: one per idempotency key, a stable Message-ID, an unsubscribe link when it is
sent under a consent, and sending started once the transaction commits."""

from typing import Any

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer
from ecoute.messaging.actions import MessageDraft, message_id_for, queue_message, queue_messages
from ecoute.messaging.models import Message
from tests.factories import CustomerFactory
from tests.messaging.conftest import queue_invitation
from tests.smtp_sink import SmtpSink

pytestmark = pytest.mark.usefixtures("waiting_tasks")


def test_a_second_queue_with_the_same_key_returns_the_message_already_queued(customer: Customer) -> None:
    # Given a message queued under a key
    first = queue_invitation(customer, key="invitation:7")
    # When the same key is queued again, with other texts
    second = queue_invitation(customer, key="invitation:7", subject="Autre chose")
    # Then it is the same message, unchanged, and there is only one
    assert second.pk == first.pk
    assert Message.objects.get().subject == "Votre avis compte"


def test_the_same_key_in_two_organizations_makes_two_messages(
    customer: Customer, other_org: Organization
) -> None:
    queue_invitation(customer, key="k")
    other = queue_message(
        other_org,
        to_address="a@example.fr",
        subject="s",
        text_body="t",
        purpose="notice",
        idempotency_key="k",
    )
    assert Message.objects.count() == 2
    assert other.message_id != Message.objects.exclude(pk=other.pk).get().message_id


def test_the_message_id_is_built_from_the_key_and_stays_the_same(customer: Customer) -> None:
    # Given a message queued, then deleted, then queued again under the same key
    first = queue_invitation(customer, key="invitation:9").message_id
    Message.objects.all().delete()
    # Then its Message-ID is the same: every copy of one message carries one Message-ID
    assert queue_invitation(customer, key="invitation:9").message_id == first
    assert first.startswith("<outbox.")
    assert first.endswith("@localhost>")


def test_a_notice_without_consent_has_no_unsubscribe_link(org: Organization) -> None:
    message = queue_message(
        org, to_address="owner@maison.fr", subject="Import fini", text_body="…", purpose="notice",
        idempotency_key="notice:1",
    )  # fmt: skip
    assert message.headers == {}


@pytest.mark.django_db(transaction=True)
def test_sending_starts_once_the_transaction_commits_once_for_many_messages(
    customer: Customer, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    # Given three messages queued in one transaction
    with transaction.atomic():
        for number in range(3):
            queue_invitation(customer, key=f"invitation:{number}")
        # Then no task exists before the commit
        assert not DBTaskResult.objects.exists()
    # And one sending task waits after it
    assert DBTaskResult.objects.get().task_path == "ecoute.messaging.tasks.send_outbox"


@pytest.mark.django_db(transaction=True)
def test_a_queued_message_leaves_through_the_worker_task(
    customer: Customer, smtp_sink: SmtpSink, settings: Any
) -> None:
    # Given tasks run as soon as they are queued
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    # When a message is queued
    message = queue_invitation(customer)
    # Then it reached the mail server, with its headers
    [received] = smtp_sink.messages
    assert received["Message-ID"] == message.message_id
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received["Subject"] == "Votre avis compte"
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)


@pytest.mark.parametrize("key", ["", "k" * 201])
def test_an_idempotency_key_empty_or_too_long_is_refused_before_anything_is_written(
    customer: Customer, key: str
) -> None:
    with pytest.raises(ValueError, match="idempotency key"):
        queue_invitation(customer, key=key)
    assert not Message.objects.exists()


def test_many_messages_are_queued_at_once_each_key_once(org: Organization) -> None:
    # Given one key queued already
    customers = CustomerFactory.create_batch(3, organization=org)
    queue_invitation(customers[0], key="wave:0")
    drafts: list[MessageDraft] = [
        {
            "to_address": c.email,
            "subject": "Votre avis",
            "text_body": "…",
            "purpose": "survey_invitation",
            "idempotency_key": f"wave:{n}",
            "customer": c,
            "consent_channel": "email",
            "consent_purpose": "surveys",
        }
        for n, c in enumerate(customers)
    ]
    # When the wave is queued, twice
    added = [queue_messages(org, drafts, batch_size=2), queue_messages(org, drafts)]
    # Then each key is queued once, with its Message-ID
    assert added == [2, 0]
    assert sorted(Message.objects.values_list("idempotency_key", flat=True)) == ["wave:0", "wave:1", "wave:2"]
    assert Message.objects.get(idempotency_key="wave:2").message_id == message_id_for(org, "wave:2")
