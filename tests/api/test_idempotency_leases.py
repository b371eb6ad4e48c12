"""An Idempotency-Key claimed by a request that was killed is free again after a short lease."""

import contextlib
import json
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from ecoute.accounts.models import ApiKey, IdempotentRequest, Organization
from ecoute.customers.models import Customer
from tests.api.live import LiveApi, live_api

pytestmark = pytest.mark.django_db(transaction=True)

RECORDS = [
    {"external_id": f"K{i:05}", "last_name": f"Nom {i}", "company": "Maison " * 20, "city": "Nantes"}
    for i in range(3000)
]


def _post(client: Client, body: Any, key: str) -> Any:
    return client.post(
        "/api/v1/customers/bulk", json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )


def _kill_while_processing(server: LiveApi, secret: str, key: str) -> None:
    """Send the records, and kill the server once the request holds the key and has not answered."""

    def send() -> None:
        with contextlib.suppress(OSError):  # the server dies under the request, as intended
            server.post("/customers/bulk", RECORDS, secret=secret, headers={"Idempotency-Key": key})

    sender = threading.Thread(target=send)
    sender.start()
    deadline = time.monotonic() + 60
    while not IdempotentRequest.objects.filter(key=key, status_code__isnull=True).exists():
        assert time.monotonic() < deadline, "the request never claimed its key"
        time.sleep(0.002)
    server.process.kill()
    server.process.wait()
    sender.join()


def test_a_retry_goes_through_once_the_lease_of_a_killed_request_has_expired(org: Organization) -> None:
    # Given a request holding its Idempotency-Key when its server process is killed
    _key, secret = ApiKey.issue(org, "CRM")
    with live_api() as server:
        _kill_while_processing(server, secret, "nightly-sync")
    assert IdempotentRequest.objects.get(key="nightly-sync").status_code is None
    assert not Customer.objects.filter(organization=org).exists()  # its write was rolled back
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    # When the client retries at once, the key is still leased to the dead request
    assert _post(client, RECORDS, "nightly-sync").status_code == 409

    # Then once the lease has passed, the retry is processed, and only once
    after_lease = timezone.now() + timedelta(seconds=settings.API_IDEMPOTENCY_LEASE + 1)
    with time_machine.travel(after_lease, tick=True):
        retry = _post(client, RECORDS, "nightly-sync")
        again = _post(client, RECORDS, "nightly-sync")
    assert retry.status_code == 200
    assert retry.json()["written"] == len(RECORDS)
    assert (again.status_code, again.json()) == (200, retry.json())
    assert Customer.objects.filter(organization=org).count() == len(RECORDS)


def test_two_retries_after_the_lease_take_it_over_once(org: Organization) -> None:
    # Given a key left claimed by a request that died more than a lease ago
    _key, secret = ApiKey.issue(org, "CRM")
    IdempotentRequest.objects.create(
        organization=org,
        key="k-dead",
        endpoint="customers:bulk",
        request_hash="0" * 64,
        created_at=timezone.now() - timedelta(minutes=10),
        leased_until=timezone.now() - timedelta(minutes=9),
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    # When the client retries, then retries again
    first = _post(client, [{"external_id": "D1"}], "k-dead")
    second = _post(client, [{"external_id": "D1"}], "k-dead")

    # Then the first takes the key over and is processed; the second is its replay
    assert first.status_code == 200
    assert (second.status_code, second.json()) == (200, first.json())
