"""Requests generated from the OpenAPI schema, valid and invalid, never get a server error, and every
answer is one the schema documents."""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import allow_header_conformance

from ecoute.accounts.models import ApiKey, Organization
from ecoute.api import api
from ecoute.wsgi import application
from tests.factories import CustomerFactory

CHECKS = SchemathesisConfig.from_dict(
    {
        "checks": {
            # A request over the limit of records answers 413, as any body too large.
            "negative_data_rejection": {"expected-statuses": [400, 401, 404, 409, 413, 422]},
            # The schema gives the shape of a record; its values (a date, a known customer) are the
            # importer's to check, which refuses them with 400, as documented.
            "positive_data_acceptance": {"expected-statuses": [200, 400, 404, 409]},
        }
    }
)
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(), config=CHECKS)
schema.app = application  # requests go to the product in this process, on the test database


@pytest.fixture
def api_secret(org: Organization) -> Iterator[str]:
    # Customers to be found, and to hang sales and consents on.
    for external_id in ("C1", "C/2", "bulk"):
        CustomerFactory.create(organization=org, external_id=external_id)
    # As Django's test client does: the test's database connection outlives each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield ApiKey.issue(org, "schema checks")[1]
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_answers_every_request_the_schema_allows_or_not_without_error(
    case: Case[Any], api_secret: str
) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {api_secret}"},
        # GET /customers/bulk reads the customer whose CRM id is "bulk": the schema documents it as
        # GET /customers/{external_id}, so `Allow: POST, GET` on that path is true, not a mismatch.
        excluded_checks=[allow_header_conformance],
    )
