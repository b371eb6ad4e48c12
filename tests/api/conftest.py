"""An API client holding a key of the organization."""

import json
from typing import Any

import pytest
from django.test import Client

from ecoute.accounts.models import ApiKey, Organization


@pytest.fixture
def api(org: Organization) -> Client:
    _key, secret = ApiKey.issue(org, "CRM")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", raise_request_exception=False)


def post(client: Client, path: str, body: Any, **headers: Any) -> Any:
    return client.post(f"/api/v1{path}", json.dumps(body), content_type="application/json", **headers)
