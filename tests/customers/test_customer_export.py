"""The customer list exported as CSV or Excel: the filtered list of one organization, in its language,
recorded in the audit log, for the roles that see customers."""

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.http.response import HttpResponseBase
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from ecoute.accounts.models import AuditEvent, Membership, Organization, Role
from ecoute.customers.models import Customer, Tag
from tests.conftest import member_client
from tests.factories import CustomerFactory, MembershipFactory, OrganizationFactory

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
CSV_URL = reverse("customers:customer_export_csv")
XLSX_URL = reverse("customers:customer_export_xlsx")

pytestmark = pytest.mark.django_db


def _body(response: HttpResponseBase) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def _csv_rows(response: HttpResponseBase, delimiter: str = ";") -> list[list[str]]:
    text = _body(response).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _sheet_rows(response: HttpResponseBase) -> list[list[Any]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(_body(response)))
    return list(book.get_sheet_by_index(0).to_python())


def _shop(org: Organization) -> None:
    """Two Breton customers (one bought on 31 March late in the evening, Paris time) and one elsewhere."""
    CustomerFactory.create(
        organization=org,
        external_id="B1",
        first_name="Hélène",
        last_name="Lefèvre",
        company="Lefèvre & fils",
        email="helene@exemple.fr",
        region="Bretagne",
        purchases_count=12,
        last_purchase_at=datetime(2026, 3, 31, 22, 30, tzinfo=UTC),
        email_consent=True,
    )
    CustomerFactory.create(organization=org, external_id="B2", first_name="", last_name="", region="Bretagne")
    CustomerFactory.create(organization=org, external_id="O1", last_name="Martin", region="Occitanie")


@time_machine.travel(NOW, tick=False)
def test_a_french_organization_exports_its_filtered_list_as_french_excel_reads_csv(
    owner: Membership, owner_client: Client, other_org: Organization
) -> None:
    # Given a French shop's customers, and another organization's Breton customer
    _shop(owner.organization)
    CustomerFactory.create(organization=other_org, external_id="THEIRS", region="Bretagne")

    # When its owner exports the list filtered on Brittany, sorted by latest purchase
    response = owner_client.get(CSV_URL + "?region=Bretagne&sort=-last_purchase")

    # Then the file is a French CSV named after the list, with the page's columns and only those customers
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="clients-maison-2026-11-23.csv"' in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert rows == [
        [
            "Nom",
            "Entreprise",
            "identifiant CRM",
            "E-mail",
            "Région",
            "Achats",
            "Dernier achat",
            "Consentement e-mail",
        ],
        [
            "Hélène Lefèvre",
            "Lefèvre & fils",
            "B1",
            "helene@exemple.fr",
            "Bretagne",
            "12",
            "01/04/2026",
            "oui",
        ],
        ["b2@example.fr", "", "B2", "b2@example.fr", "Bretagne", "0", "", "non"],
    ]


@time_machine.travel(NOW, tick=False)
def test_an_english_organization_exports_commas_iso_dates_and_english_headers() -> None:
    # Given an English organization's owner and customers
    org = OrganizationFactory.create(slug="shop", name="Shop", language="en", time_zone="Europe/London")
    owner = MembershipFactory.create(organization=org, role=Role.OWNER)
    _shop(org)

    # When the owner exports the whole list
    rows = _csv_rows(member_client(owner).get(CSV_URL), delimiter=",")

    # Then the headers are English, cells split on commas, and the day is ISO in London's time
    assert rows[0] == [
        "Name",
        "Company",
        "CRM id",
        "E-mail",
        "Region",
        "Purchases",
        "Last purchase",
        "E-mail consent",
    ]
    by_id = {row[2]: row for row in rows[1:]}
    assert by_id["B1"][5:] == ["12", "2026-03-31", "yes"]
    assert sorted(by_id) == ["B1", "B2", "O1"]


@time_machine.travel(NOW, tick=False)
def test_the_excel_file_holds_numbers_and_dates_and_neutralises_formulas(
    owner: Membership, owner_client: Client
) -> None:
    # Given a customer whose name a spreadsheet would run
    _shop(owner.organization)
    CustomerFactory.create(
        organization=owner.organization,
        external_id="X",
        last_name='=HYPERLINK("http://x.example")',
        first_name="",
    )

    # When the list searched for "B1" and the hostile customer are exported as xlsx
    first = _sheet_rows(owner_client.get(XLSX_URL + "?q=B1"))
    hostile = _sheet_rows(owner_client.get(XLSX_URL + "?q=X"))

    # Then the purchases are a number and the last purchase a date; the formula is text behind an apostrophe
    assert first[1][5:] == [12, date(2026, 4, 1), "oui"]
    assert hostile[1][0] == '\'=HYPERLINK("http://x.example")'


@time_machine.travel(NOW, tick=False)
def test_each_export_is_recorded_with_its_list_filters_format_and_row_count(
    owner: Membership, owner_client: Client
) -> None:
    # Given customers, two of them tagged
    _shop(owner.organization)
    vip = Tag.objects.create(organization=owner.organization, name="VIP")
    vip.customers.add(*Customer.objects.filter(external_id__in=["B1", "O1"]))

    # When the owner exports the tagged customers as CSV, then everyone as xlsx
    assert len(_csv_rows(owner_client.get(CSV_URL + f"?tag={vip.pk}&consent=&page=3"))) == 3
    _body(owner_client.get(XLSX_URL))

    # Then both exports are in the audit log: who, which list, which filters, which format, how many rows
    tagged, everyone = AuditEvent.objects.order_by("id")
    assert (tagged.user_id, tagged.user_email, tagged.action, tagged.subject) == (
        owner.user_id,
        "owner@maison.fr",
        "export",
        "customers",
    )
    assert tagged.parameters["format"] == "csv"
    assert tagged.parameters["filters"] == {"tag": {"id": vip.pk, "name": "VIP"}}
    assert tagged.parameters["shown_filters"] == [["Étiquette", "VIP"]]
    assert tagged.row_count == 2
    assert tagged.created_at == NOW
    assert (everyone.parameters["format"], everyone.parameters["filters"], everyone.row_count) == (
        "xlsx",
        {},
        3,
    )


def test_analysts_export_but_agents_and_viewers_may_not(org: Organization) -> None:
    # Given an organization's customers and members of each role that does not manage members
    _shop(org)
    for role, allowed in [(Role.ANALYST, True), (Role.AGENT, False), (Role.VIEWER, False)]:
        client = member_client(MembershipFactory.create(organization=org, role=role))
        for url in (CSV_URL, XLSX_URL):
            # When they ask for the export
            response = client.get(url)
            # Then only the roles that see customers get the file
            assert (response.status_code == 200) is allowed, (role, url, response.status_code)
    # And only the analyst's two exports are recorded
    assert AuditEvent.objects.count() == 2


def test_the_list_page_offers_both_exports_with_its_current_filters(owner_client: Client) -> None:
    # When the list is shown filtered and sorted
    page = owner_client.get(reverse("customers:customer_list") + "?region=Bretagne&sort=name&page=1")

    # Then both export links keep the filters and the sort, but not the page
    html = page.content.decode()
    assert f'href="{CSV_URL}?region=Bretagne&amp;sort=name"' in html
    assert f'href="{XLSX_URL}?region=Bretagne&amp;sort=name"' in html


def test_an_organization_that_exports_nothing_gets_the_headers_alone(owner_client: Client) -> None:
    rows = _csv_rows(owner_client.get(CSV_URL + "?q=personne"))
    assert len(rows) == 1
    assert AuditEvent.objects.get().row_count == 0
