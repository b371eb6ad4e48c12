"""Helpers of the customer search tests: what a search finds, by CRM id."""

import pytest

from ecoute.accounts.models import Organization
from ecoute.customers import queries
from ecoute.customers.queries import filter_customers


def found(organization: Organization, query: str) -> list[str]:
    """The CRM ids the customer list's search finds, in the list's order (by name)."""
    return list(filter_customers(organization, {"q": query}).values_list("external_id", flat=True))


@pytest.fixture(params=["few matches", "many matches"])
def either_way(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the test with the matches read as ids first (few) and as a condition the list walks (many)."""
    if request.param == "many matches":
        monkeypatch.setattr(queries, "SEARCH_IDS_LIMIT", 0)
        monkeypatch.setattr(queries, "POSTGRESQL_IDS_LIMIT", 0)
