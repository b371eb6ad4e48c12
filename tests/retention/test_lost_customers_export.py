"""A segment of the lost-customers page leaves as a file for a mailing tool, recorded in the audit log,
or becomes a campaign's audience."""

import csv
import io
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client

from ecoute.accounts.models import AuditEvent, Organization
from ecoute.retention.campaign_models import Campaign
from tests.factories import OrganizationFactory
from tests.retention.slipping_shop import NOW, slipping_shop

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")  # what French Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_a_segment_exports_its_customers_with_their_figures_in_french(
    owner_client: Client, org: Organization
) -> None:
    # Given the slipping shop, and another organization's lost customers
    slipping_shop(org)
    slipping_shop(OrganizationFactory.create())
    # When the owner exports the lost customers of Rennes as CSV
    response = owner_client.get("/retention/lost/export.csv", {"status": "lost", "store": "Rennes"})
    # Then the file holds Anne alone, with her status, store, chance still active and value
    assert response.status_code == 200
    rows = _rows(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    header, *customers = rows
    assert "Statut" in header
    assert "Magasin du dernier achat" in header
    assert len(customers) == 1
    anne = dict(zip(header, customers[0], strict=True))
    assert anne["Statut"] == "Perdu"
    assert anne["Magasin du dernier achat"] == "Rennes"
    assert anne["Probabilité d’être encore actif"] == "0,200"
    # And the export is in the audit log with the segment
    event = AuditEvent.objects.get(organization=org)
    assert (event.subject, event.row_count) == ("lost_customers", 1)
    assert event.parameters["filters"] == {"status": "lost", "store": "Rennes"}


def test_a_segment_becomes_a_campaign_audience(owner_client: Client, org: Organization) -> None:
    # Given the slipping shop
    slipping_shop(org)
    # When the owner starts a campaign from the at-risk customers of Bretagne
    page = owner_client.get("/campaigns/new/", {"status": "at_risk", "region": "Bretagne"}).text
    # Then the form carries that audience, and saving it keeps it
    assert 'value="Bretagne"' in page
    form = {
        "name": "Bretagne",
        "statuses": ["at_risk"],
        "region": "Bretagne",
        "store": "",
        "narrowing": "nps=promoter",
        "control_share": "0,15",
        "window_days": "60",
        "calls_enabled": "on",
        "call_script": "Bonjour",
    }
    response = owner_client.post("/campaigns/new/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Campaign.objects.get().audience == {"status": "at_risk", "region": "Bretagne", "nps": "promoter"}


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_filter_that_does_not_read_exports_nothing(
    owner_client: Client, org: Organization, file_format: str
) -> None:
    # Given the slipping shop
    slipping_shop(org)
    # When an export is asked with a filter that does not read (a link cut or edited by hand)
    response = owner_client.get(f"/retention/lost/export.{file_format}", {"status": "lost", "nps": "angry"})
    # Then it is refused naming the filter, rather than a file of every lost customer, and nothing is logged
    assert response.status_code == 400
    assert "angry" in response.content.decode()
    assert "Rien n’a été exporté" in response.content.decode()
    assert not AuditEvent.objects.filter(organization=org).exists()
