"""Every endpoint enforces the key's scope, and each key has its own rate limit."""

import json
from typing import Any

from django.test import Client

from ecoute.accounts.models import ApiKey, Organization
from ecoute.customers.models import Customer


def _client(org: Organization, scope: str) -> Client:
    _key, secret = ApiKey.issue(org, f"{scope} key", scope=scope)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _write(client: Client, **headers: Any) -> Any:
    body = json.dumps([{"external_id": "R1", "first_name": "Rémi"}])
    return client.post("/api/v1/customers/bulk", body, content_type="application/json", **headers)


def test_a_read_key_reads_and_is_refused_every_write_with_a_clear_message(org: Organization) -> None:
    # Given a key that may only read
    client = _client(org, "read")
    # When it lists customers, then writes to each endpoint that writes
    listing = client.get("/api/v1/customers")
    writes = [
        client.post(path, "[]", content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
        for path in ("/api/v1/customers/bulk", "/api/v1/transactions/bulk", "/api/v1/consents")
    ]
    # Then it reads, and every write is refused with 403 and a message saying why
    assert listing.status_code == 200
    assert [w.status_code for w in writes] == [403, 403, 403]
    assert writes[0].json() == {
        "detail": "This API key may only read. Writing needs a key with read and write access.",
        "problems": [],
    }
    assert not Customer.objects.exists()


def test_the_refusal_speaks_the_organizations_language_by_default(org: Organization) -> None:
    # Given a French organization's read key
    org.language = "fr"
    org.save()
    # When it writes without saying which language it reads
    response = _write(_client(org, "read"))
    # Then the message is in French
    assert response.status_code == 403
    assert "lecture" in response.json()["detail"]


def test_a_read_and_write_key_writes(org: Organization) -> None:
    response = _write(_client(org, "read_write"))
    assert response.status_code == 200
    assert Customer.objects.filter(organization=org, external_id="R1").exists()


def test_a_key_over_its_rate_limit_waits_and_the_others_do_not(
    org: Organization, settings: Any, clock_mid_window: None
) -> None:
    # Given a limit of three requests per key and minute
    settings.API_RATE_LIMIT = 3
    settings.API_RATE_LIMIT_WINDOW = 60
    busy, other = _client(org, "read"), _client(org, "read")
    # When one key makes four requests
    answers = [busy.get("/api/v1/customers", HTTP_ACCEPT_LANGUAGE="en") for _ in range(4)]
    # Then the fourth answers 429, says when to come back, and another key still gets through
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert 1 <= int(answers[3]["Retry-After"]) <= 60
    assert "Too many requests" in answers[3].json()["detail"]
    assert other.get("/api/v1/customers").status_code == 200
