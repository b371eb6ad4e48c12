"""Dates at the very ends of the calendar are refused by row, never crash an import or the API."""

from pathlib import Path

import pytest
from django.test import Client

from ecoute.accounts.models import ApiKey, Organization
from ecoute.customers.models import Customer
from ecoute.lib.dates import parse_date
from ecoute.lib.tabular_errors import InvalidValueError
from tests.api.conftest import post
from tests.customers.importing import failing_import, write_csv

ENDS = [
    "01/01/0001",
    "01/01/0001 00:30",
    "0001-01-01T00:00:00+14:00",
    "31/12/9999",
    "31/12/9999 23:59",
    "9999-12-31T23:59:59-14:00",
]


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/New_York", "Pacific/Kiritimati"])
@pytest.mark.parametrize("value", ENDS)
def test_a_file_with_a_date_at_an_end_of_the_calendar_names_the_row(
    org: Organization, tmp_path: Path, zone: str, value: str
) -> None:
    # Given an organization in `zone` and a CRM export whose second customer has a placeholder date
    org.time_zone = zone
    org.save()
    path = write_csv(tmp_path / "clients.csv", f"Code client;Client depuis\nC1;15/03/2024\nC2;{value}\n")

    # When it is imported
    message, problems = failing_import("customers", str(path), "--org", org.slug)

    # Then nothing is written and the problem names the row and the value, in place of a crash
    assert "1" in message
    assert "3" in problems
    assert value in problems
    assert not Customer.objects.exists()


@pytest.mark.parametrize("value", ENDS)
def test_the_api_refuses_a_date_at_an_end_of_the_calendar_with_400(org: Organization, value: str) -> None:
    # Given a CRM holding the organization's key
    _key, secret = ApiKey.issue(org, "CRM")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", raise_request_exception=False)

    # When a record carries a date that no time zone can place in UTC
    response = post(
        api, "/customers/bulk", [{"external_id": "C1", "created_at": value}], HTTP_ACCEPT_LANGUAGE="en"
    )

    # Then the answer names the field and the value, never a server error
    assert response.status_code == 400, response.content
    [problem] = response.json()["problems"]
    assert (problem["row"], problem["field"], problem["value"]) == (1, "created_at", value)


def test_an_excel_serial_of_the_last_day_of_the_calendar_is_no_date() -> None:
    # Given the serial Excel gives 31/12/9999
    # When it is read, then it is refused like the same day typed as text
    with pytest.raises(InvalidValueError):
        parse_date(2958465)
