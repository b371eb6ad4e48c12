"""A customer's tags and CRM fields have the same limits whether they come in a file or through the API:
a value too long is refused with its line, column and limit, never cut or stored whole."""

from pathlib import Path

import pytest
from django.test import Client

from ecoute.accounts.models import ApiKey, Organization
from ecoute.customers.models import Customer, Tag
from tests.api.conftest import post
from tests.customers.importing import failing_import, write_csv


@pytest.fixture
def api_client(org: Organization) -> Client:
    _key, secret = ApiKey.issue(org, "CRM")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", raise_request_exception=False)


LONG_TAG = "fidèle " * 20  # 140 characters
LONG_NAME = "Champ du CRM " * 25  # 325 characters
LONG_VALUE = "x" * 5000


@pytest.mark.parametrize(
    "case",
    [
        ("Tags", f"vip, {LONG_TAG}", {"tags": ["vip", LONG_TAG]}),
        ("Commentaire", LONG_VALUE, {"attributes": {"Commentaire": LONG_VALUE}}),
    ],
    ids=["tag", "crm value"],
)
def test_a_value_too_long_is_refused_by_a_file_as_by_the_api_with_its_line_and_limit(
    org: Organization, api_client: Client, tmp_path: Path, case: tuple[str, str, dict[str, object]]
) -> None:
    header, cell, record = case
    # Given a customer whose tag, or CRM field, is longer than the API takes
    path = write_csv(
        tmp_path / "clients.csv",
        f"Code client;{header}\nC1;ok\nC2;{cell}\n".replace(";" + LONG_TAG, ", " + LONG_TAG),
    )

    # When it is sent to the API, and imported from a file
    refused = post(api_client, "/customers/bulk", [{"external_id": "C2", **record}])
    message, problems = failing_import("customers", str(path), "--org", org.slug, "--language", "en")

    # Then both refuse it, the file naming the line, the column and the limit; nothing is stored
    assert refused.status_code == 422
    assert f"line 3, column “{header}”" in problems, problems
    assert "longer than" in problems, problems
    assert "Nothing was imported" in message
    assert not Customer.objects.filter(organization=org).exists()
    assert not Tag.objects.filter(organization=org).exists()


def test_a_crm_field_named_longer_than_the_api_takes_is_refused_naming_the_column(
    org: Organization, api_client: Client, tmp_path: Path
) -> None:
    # Given a CRM export with a column whose name is longer than an attribute's name may be
    path = write_csv(tmp_path / "clients.csv", f"Code client;{LONG_NAME}\nC1;oui\n")

    # When it is sent to the API, and imported from a file
    refused = post(api_client, "/customers/bulk", [{"external_id": "C1", "attributes": {LONG_NAME: "oui"}}])
    message, _problems = failing_import("customers", str(path), "--org", org.slug, "--language", "en")

    # Then both refuse it, the file naming the column and the limit
    assert refused.status_code == 422
    assert LONG_NAME.strip()[:40] in message, message
    assert "100 characters" in message, message
    assert not Customer.objects.filter(organization=org).exists()
