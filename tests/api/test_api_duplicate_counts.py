"""A record repeated in one request is stored once, and the answer says so."""

import pytest
from django.test import Client

from ecoute.accounts.models import Organization
from tests.api.conftest import post
from tests.factories import CustomerFactory


@pytest.mark.parametrize("kind", ["customers", "transactions", "consents"])
def test_the_api_counts_a_record_repeated_in_one_request_once(
    api: Client, org: Organization, kind: str
) -> None:
    CustomerFactory.create(organization=org, external_id="C9")
    record = {
        "customers": {"external_id": "C9", "city": "Caen"},
        "transactions": {
            "external_id": "S1",
            "customer": "C9",
            "occurred_at": "2026-01-15",
            "amount": "9.90",
        },
        "consents": {
            "customer": "C9",
            "channel": "email",
            "purpose": "surveys",
            "granted": True,
            "recorded_at": "2026-01-15T10:00:00",
        },
    }[kind]
    path = {"customers": "/customers/bulk", "transactions": "/transactions/bulk", "consents": "/consents"}[
        kind
    ]
    response = post(api, path, [record, record])
    assert response.json() == {"received": 2, "written": 1, "duplicates": 1}
