"""Every worker looks from time to time for messages whose time has come (retries, messages of a
worker that died) and starts a pass for them; a message that has not left yet can be cancelled."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ecoute.customers.models import Customer
from ecoute.messaging.actions import cancel_message
from ecoute.messaging.models import Message
from ecoute.messaging.tasks import send_when_due
from tests.messaging.conftest import DUMMY_TASKS, queue_invitation

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_a_pass_starts_when_a_retry_is_due_and_none_waits(customer: Customer, settings: Any) -> None:
    # Given a message waiting for its next attempt in an hour
    settings.TASKS = DUMMY_TASKS
    queue_invitation(customer, send_after=timezone.now() + timedelta(hours=1))
    settings.TASKS = DATABASE_TASKS
    # Then nothing is started before its time
    assert send_when_due() is False
    # When its time has come, one pass is started, and only one while it waits for a worker
    Message.objects.update(next_attempt_at=timezone.now())
    assert send_when_due() is True
    assert send_when_due() is False
    assert DBTaskResult.objects.get().task_path == "ecoute.messaging.tasks.send_outbox"


@pytest.mark.usefixtures("waiting_tasks")
def test_a_queued_message_can_be_cancelled_until_it_leaves(customer: Customer) -> None:
    message = queue_invitation(customer)
    assert cancel_message(message, "revoked") is True
    message.refresh_from_db()
    assert (message.status, message.status_reason) == ("cancelled", "revoked")
    assert cancel_message(message, "revoked") is False
