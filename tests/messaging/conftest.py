"""The outbox's fixtures: tasks that wait (sending is called by the test), customers who consent."""

from email.message import Message as EmailMessage
from typing import Any

import pytest

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer
from ecoute.messaging.actions import queue_message
from ecoute.messaging.models import Message
from tests.factories import ConsentFactory, CustomerFactory

DUMMY_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def waiting_tasks(settings: Any) -> None:
    """Queued messages wait for the test to send them."""
    settings.TASKS = DUMMY_TASKS


@pytest.fixture
def customer(org: Organization) -> Customer:
    customer = CustomerFactory.create(organization=org, email="jeanne@example.fr", language="fr")
    ConsentFactory.create(customer=customer, channel="email", purpose="surveys", granted=True)
    return customer


def unsubscribe_link(received: EmailMessage) -> str:
    """The path of the List-Unsubscribe link of an e-mail the server received."""
    header = "".join(str(received["List-Unsubscribe"]).split())  # long headers are folded
    assert header.startswith("<http://localhost:8000/u/")
    assert header.endswith(">")
    return header[len("<http://localhost:8000") : -1]


def queue_invitation(customer: Customer, key: str = "invitation:1", **fields: Any) -> Message:
    values: dict[str, Any] = {
        "to_address": customer.email,
        "subject": "Votre avis compte",
        "text_body": "Bonjour, donnez-nous votre avis.\nSe désabonner : {unsubscribe_url}\n",
        "html_body": '<p>Bonjour</p><p><a href="{unsubscribe_url}">Se désabonner</a></p>',
        "purpose": "survey_invitation",
        "idempotency_key": key,
        "customer": customer,
        "solicits": True,
        "consent_channel": "email",
        "consent_purpose": "surveys",
        "subject_ref": key,
    }
    return queue_message(customer.organization, **(values | fields))
