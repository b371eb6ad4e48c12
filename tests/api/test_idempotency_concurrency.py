"""Simultaneous requests with one Idempotency-Key: one is processed, the others get its answer or 409.

Real concurrency: threads against the product served in another process, on the test database."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from ecoute.accounts.models import ApiKey, Organization
from ecoute.customers.models import Customer
from tests.api.live import Answer, LiveApi, live_api

pytestmark = pytest.mark.django_db(transaction=True)

SIMULTANEOUS = 20


def _send_together(server: LiveApi, secret: str, body: Any, key: str) -> list[Answer]:
    start = threading.Barrier(SIMULTANEOUS)

    def send(_index: int) -> Answer:
        start.wait()
        return server.post("/customers/bulk", body, secret=secret, headers={"Idempotency-Key": key})

    with ThreadPoolExecutor(SIMULTANEOUS) as pool:
        return list(pool.map(send, range(SIMULTANEOUS)))


def test_simultaneous_invalid_requests_with_one_key_never_answer_500(org: Organization) -> None:
    # Given twenty clients sending the same invalid records with the same key, six times over
    _key, secret = ApiKey.issue(org, "CRM")
    invalid = [{"external_id": "C1", "email": "not-an-email"}]
    with live_api() as server:
        answers = [
            answer
            for round_ in range(6)
            for answer in _send_together(server, secret, invalid, f"retry-{round_}")
        ]

    # Then each is refused for its records or told the key is busy, never a server error
    statuses = Counter(answer.status for answer in answers)
    assert set(statuses) <= {400, 409}, statuses
    assert statuses[400] >= 6
    assert all(a.body["problems"][0]["code"] == "invalid_email" for a in answers if a.status == 400)
    assert not Customer.objects.filter(organization=org).exists()


def test_simultaneous_valid_requests_with_one_key_write_once_and_replay(org: Organization) -> None:
    # Given twenty clients sending the same records with the same key at the same moment
    _key, secret = ApiKey.issue(org, "CRM")
    records = [{"external_id": f"V{i}", "last_name": "Valois"} for i in range(50)]
    with live_api() as server:
        answers = _send_together(server, secret, records, "sync-1")

    # Then one was processed and the others got its answer again, or 409 while it ran
    statuses = Counter(answer.status for answer in answers)
    assert set(statuses) <= {200, 409}, statuses
    processed = [answer.body for answer in answers if answer.status == 200]
    assert processed
    assert all(body == processed[0] for body in processed)
    assert processed[0]["written"] == 50
    assert Customer.objects.filter(organization=org).count() == 50
