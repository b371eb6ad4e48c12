"""What a search counts and how it pages: the count the list shows is the number of customers found (and
of those another filter keeps), and every page is sorted by name, however the matches were read."""

import pytest
from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import ApiKey, Organization
from ecoute.customers.queries import filter_customers
from tests.customers.search import either_way
from tests.factories import CustomerFactory

__all__ = ["either_way"]

pytestmark = pytest.mark.usefixtures("either_way")

SURNAMES = ["Lefebvre", "Lefèvre", "Lefort", "Legrand", "Martin"]


@pytest.fixture
def shop(org: Organization, other_org: Organization) -> None:
    # 60 customers named Lef…, in two regions, 25 others, and Lefebvre of another organization.
    for number in range(85):
        CustomerFactory.create(
            organization=org,
            external_id=f"C{number:03d}",
            first_name=f"Prénom{number % 7}",
            last_name=SURNAMES[number % 5] if number < 75 else "Zola",
            region="Bretagne" if number % 2 else "Normandie",
        )
    CustomerFactory.create(organization=other_org, external_id="THEIRS", last_name="Lefebvre")


def _listed(org: Organization, filters: dict[str, str]) -> tuple[int, list[str]]:
    customers = filter_customers(org, filters)
    return customers.count(), list(customers.values_list("search_name", flat=True))


@pytest.mark.usefixtures("shop")
@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"q": "lef"}, 45),  # Lefebvre, Lefèvre, Lefort: 15 each
        ({"q": "LEFEB"}, 15),
        ({"q": "lef", "region": "Bretagne"}, 22),  # another filter narrows the count too
        ({"q": "lef prénom3"}, 6),
        ({"q": "zola"}, 10),
        ({"q": "zola", "region": "Normandie"}, 5),
        ({"q": "nobody"}, 0),
        ({"q": "!!"}, 0),
    ],
)
def test_the_count_is_the_number_of_customers_found_and_kept(
    org: Organization, filters: dict[str, str], expected: int
) -> None:
    # Given customers of two organizations, in two regions
    # When the list is searched, with or without another filter
    count, names = _listed(org, filters)
    # Then its count is the number of customers it lists, and they are sorted by name
    assert count == len(names) == expected
    assert names == sorted(names)


@pytest.mark.usefixtures("shop")
def test_the_pages_of_a_search_follow_one_another_in_name_order(
    org: Organization, owner_client: Client
) -> None:
    # Given 45 customers found by "lef" and 60 by "le"
    everyone = list(filter_customers(org, {}).values_list("external_id", "search_name"))
    url = reverse("customers:customer_list")
    for query in ["lef", "le"]:
        # When the list's pages are read one after the other
        first = owner_client.get(url, {"q": query}).context["page"]
        pages = [first] + [
            owner_client.get(url, {"q": query, "page": str(number)}).context["page"]
            for number in range(2, first.paginator.num_pages + 1)
        ]
        # Then they hold every customer found, once, in the order of their names, and say how many
        listed = [customer.external_id for page in pages for customer in page]
        expected = [crm_id for crm_id, name in everyone if name.startswith(query)]
        assert listed == expected
        assert first.paginator.count == len(expected)
    assert len(pages) == 2


@pytest.mark.usefixtures("shop")
def test_the_api_counts_a_search_as_the_list_does(org: Organization) -> None:
    # Given an API key of the organization
    _key, secret = ApiKey.issue(org, "CRM")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    # When the API is searched, past its first page
    listed = api.get(
        "/api/v1/customers", {"q": "lef", "region": "Bretagne", "offset": "20", "limit": "10"}
    ).json()
    # Then it counts every customer found and kept, and lists those of the page asked
    assert listed["count"] == 22
    assert len(listed["results"]) == 2
