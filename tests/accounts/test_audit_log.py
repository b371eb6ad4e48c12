"""The exports log: owners and admins read their organization's recent exports, page by page, in their
language; nobody else reads it, and no organization reads another's."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from ecoute.accounts.audit import record_export
from ecoute.accounts.models import Membership, Organization, Role
from tests.conftest import member_client
from tests.factories import MembershipFactory

URL = reverse("accounts:audit_log")

pytestmark = pytest.mark.django_db


def _export(member: Membership, title: str, rows: int, when: datetime | None = None) -> None:
    event = record_export(
        member,
        "customers",
        "csv",
        title=title,
        filters={"region": "Bretagne"},
        shown_filters=[("Région", "Bretagne")],
        columns=["Nom"],
        row_count=rows,
    )
    if when is not None:
        event.created_at = when
        event.save(update_fields=["created_at"])


def test_owners_read_their_organizations_exports_newest_first(
    owner: Membership, owner_client: Client, other_org: Organization
) -> None:
    # Given two exports of the organization and one of another organization
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    _export(owner, "Clients", 1234, start)
    _export(owner, "Clients perdus", 56, start + timedelta(days=1))
    _export(MembershipFactory.create(organization=other_org), "Leurs clients", 999)

    # When the owner opens the log
    page = owner_client.get(URL)

    # Then both exports read in French, newest first, with who, filters, format and rows; not the other's
    html = page.content.decode()
    assert "Journal des exports" in html
    assert [event.title for event in page.context["page"]] == ["Clients perdus", "Clients"]
    assert "owner@maison.fr" in html
    assert "Bretagne" in html
    assert "1\N{NO-BREAK SPACE}234" in html or "1\N{NARROW NO-BREAK SPACE}234" in html
    assert "Leurs clients" not in html


def test_the_log_reads_in_english_for_an_english_reader(owner: Membership, owner_client: Client) -> None:
    _export(owner, "Customers", 1234)
    owner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = owner_client.get(URL).content.decode()
    assert "Exports log" in html
    assert "1,234" in html


def test_the_log_is_read_fifty_exports_a_page(owner: Membership, owner_client: Client) -> None:
    # Given 51 exports
    for number in range(51):
        _export(owner, f"Liste {number}", number)
    # Then the first page shows 50, the second the oldest one
    assert len(owner_client.get(URL).context["page"]) == 50
    assert [event.title for event in owner_client.get(URL + "?page=2").context["page"]] == ["Liste 0"]


def test_admins_read_the_log_and_other_roles_may_not(org: Organization) -> None:
    for role, allowed in [
        (Role.ADMIN, True),
        (Role.ANALYST, False),
        (Role.AGENT, False),
        (Role.VIEWER, False),
    ]:
        response = member_client(MembershipFactory.create(organization=org, role=role)).get(URL)
        assert (response.status_code == 200) is allowed, role
        assert response.status_code in {200, 403}


def test_the_members_page_links_to_the_log(owner_client: Client) -> None:
    assert f'href="{URL}"' in owner_client.get(reverse("accounts:members")).content.decode()
