"""Each queued message reaches the mail server exactly once: with two senders at once, and when the
worker is killed in the middle of a batch of 1,000 and another one starts."""

import os
import signal
import threading
from collections import Counter
from pathlib import Path
from typing import Any, Literal

import pytest
from django.db import connection, transaction

from ecoute.accounts.models import Organization
from ecoute.customers.models import Consent, Customer
from ecoute.messaging.actions import MessageDraft, queue_messages
from ecoute.messaging.models import Message
from ecoute.messaging.sending import SendReport, send_due_messages
from tests.conftest import subprocess_env
from tests.messaging.conftest import DUMMY_TASKS
from tests.processes import ecoute, started, wait_until
from tests.smtp_sink import SmtpSink

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
WORKER = ecoute(
    "db_worker", "--queue-name", "default", "--interval", "0.1", "--no-startup-delay", "--no-reload"
)


def _queue_invitations(org: Organization, count: int) -> None:
    customers = Customer.objects.bulk_create(
        Customer(organization=org, external_id=f"C{n:05d}", email=f"c{n:05d}@example.fr")
        for n in range(count)
    )
    Consent.objects.bulk_create(
        Consent(organization=org, customer=c, channel="email", purpose="surveys", granted=True)
        for c in customers
    )
    drafts: list[MessageDraft] = [
        {
            "to_address": customer.email,
            "subject": "Votre avis compte",
            "text_body": "Bonjour, donnez-nous votre avis.\nSe désabonner : {unsubscribe_url}\n",
            "html_body": '<p>Bonjour</p><p><a href="{unsubscribe_url}">Se désabonner</a></p>',
            "purpose": "survey_invitation",
            "idempotency_key": f"invitation:{customer.external_id}",
            "customer": customer,
            "solicits": True,
            "consent_channel": "email",
            "consent_purpose": "surveys",
        }
        for customer in customers
    ]
    with transaction.atomic():
        assert queue_messages(org, drafts) == count


def _assert_each_message_arrived_once(sink: SmtpSink, count: int) -> None:
    received = Counter(m["Message-ID"] for m in sink.messages)
    assert [ident for ident, times in received.items() if times > 1] == []
    assert set(received) == set(Message.objects.values_list("message_id", flat=True))
    assert len(received) == count


def test_two_senders_at_once_send_each_message_once(org: Organization, settings: Any) -> None:
    # Given 100 queued messages and small batches
    settings.TASKS = DUMMY_TASKS
    settings.OUTBOX_BATCH_SIZE = 10
    _queue_invitations(org, 100)
    reports: list[SendReport] = []
    start = threading.Barrier(2)

    def sender() -> None:
        try:
            start.wait()
            reports.append(send_due_messages())
        finally:
            connection.close()

    with SmtpSink() as sink:
        settings.MAILERS = {"default": sink.mailer()}
        # When two senders run the outbox at the same moment
        threads = [threading.Thread(target=sender) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # Then every message arrived exactly once, and is recorded sent once
        _assert_each_message_arrived_once(sink, 100)
    assert sum(report.sent for report in reports) == 100
    assert set(Message.objects.values_list("status", "attempts")) == {("sent", 1)}


@pytest.mark.parametrize(
    ("command", "number"),
    [
        # killed while waiting for the server's answer to the 300th message, which it has accepted
        ("DATA", 300),
        # killed in the middle of the conversation about the 301st message, before its data
        ("RCPT", 301),
    ],
    ids=["after-the-final-dot", "before-the-data"],
)
def test_a_worker_killed_in_the_middle_of_a_batch_of_1000_sends_each_message_once_after_a_restart(
    org: Organization, tmp_path: Path, settings: Any, command: Literal["RCPT", "DATA"], number: int
) -> None:
    # Given 1,000 queued invitations, whose sending task waits for a worker, sent in one batch
    settings.TASKS = DATABASE_TASKS
    _queue_invitations(org, 1000)
    with SmtpSink() as sink:
        env = subprocess_env(
            TASKS_IMMEDIATE="0", EMAIL_URL=f"smtp://{sink.host}:{sink.port}", OUTBOX_BATCH_SIZE="1000"
        )
        # When the worker is killed while it talks with the mail server, a few hundred messages in
        # (by the server, before it answers: a kill at a random instant could fall during the commit
        # of a mark, the one moment the order of the dot and the mark cannot protect)
        with started(WORKER, env, tmp_path / "worker-1.log") as worker:
            sink.before_answering(command, number, lambda: os.kill(worker.pid, signal.SIGKILL))
            wait_until(lambda: worker.poll() is not None, timeout=120, message="worker killed")
            assert worker.returncode == -signal.SIGKILL
        # Then it stopped in the middle of the batch: what the server received is what is marked sent
        sent = Message.objects.filter(status="sent")
        assert len(sink.messages) == sent.count() == 300
        assert Message.objects.filter(status="sending").exists()
        # When another worker starts (it finds the dead worker's messages due at once)
        with started(WORKER, env, tmp_path / "worker-2.log"):
            wait_until(lambda: sent.count() == 1000, timeout=120, message="all sent")
        # Then the mail server received every message exactly once
        _assert_each_message_arrived_once(sink, 1000)
    assert set(Message.objects.values_list("status", "claimed_by")) == {("sent", "")}
