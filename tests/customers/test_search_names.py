"""Customer search by names, company, city, postcode and e-mail: every word typed, by its start, in any
order, without case or accents, whatever the apostrophe, and never another organization's customers."""

import pytest
from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer
from tests.customers.search import either_way, found
from tests.factories import CustomerFactory

__all__ = ["either_way"]

pytestmark = pytest.mark.usefixtures("either_way")


def _customer(org: Organization, crm_id: str, first: str, last: str, **fields: str) -> Customer:
    fields.setdefault("email", f"{crm_id.lower()}@exemple.fr")
    return CustomerFactory.create(
        organization=org, external_id=crm_id, first_name=first, last_name=last, **fields
    )


@pytest.fixture
def people(org: Organization) -> None:
    _customer(org, "A", "Chloé", "Martin", city="Lyon", postcode="69003")
    _customer(org, "B", "Léa", "Dubois", city="Paris", postcode="75011")
    _customer(org, "C", "Hélène", "Lefèvre", company="SARL Atelier Lefèvre", city="Nantes")
    _customer(org, "D", "Loïc", "N’Guessan", city="Créteil", email="loic.nguessan@exemple.fr")
    _customer(org, "E", "Zoé", "Anaïs-Béranger", city="Saint-Étienne")
    _customer(org, "F", "Anaïs", "Dupré", company="Boulangerie L'Épi d'Or", city="Lyon")
    _customer(org, "G", "Chloe", "Ø Lund", city="Lille")


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Chloé", ["A", "G"]),  # with the accent: also the one written without
        ("chloe", ["A", "G"]),  # without: also the one written with
        ("CHLOE", ["A", "G"]),
        ("Léa", ["B"]),
        ("LEA", ["B"]),
        ("helene", ["C"]),
        ("Hélène", ["C"]),
        ("loic", ["D"]),
        ("Loïc", ["D"]),
        ("zoe", ["E"]),
        ("anais", ["E", "F"]),  # a word of a compound surname, and a first name; sorted by name
        ("Anaïs", ["E", "F"]),
        ("béranger", ["E"]),
    ],
)
def test_a_first_name_is_found_with_or_without_its_accents_in_any_case(
    org: Organization, query: str, expected: list[str]
) -> None:
    # Given customers whose names have accents, and one written without
    # When the list is searched for a name, with or without its accents, in any case
    # Then every customer with that word in their name is found, and no other
    assert found(org, query) == expected


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("query", ["N’Guessan", "N'Guessan", "n‘guessan", "nguessan", "NGUESS", "guessan"])
def test_a_name_with_an_apostrophe_is_found_typed_with_any_apostrophe_or_none(
    org: Organization, query: str
) -> None:
    # Given "Loïc N’Guessan", written with a curly apostrophe
    # When searched with a straight, a curly or no apostrophe, or by the part after it
    # Then he is found
    assert found(org, query) == ["D"]


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("martin chloé", ["A"]),
        ("Chloé Martin", ["A"]),
        ("mart chl", ["A"]),  # each word by its start
        ("chl mart", ["A"]),
        ("lefe hel", ["C"]),
        ("chloe lyon", ["A"]),  # a name and a city
        ("chloe lille", ["G"]),
        ("chloe paris", []),  # every word must match
        ("chloe martinez", []),
    ],
)
def test_several_words_in_any_order_must_each_start_a_word_of_the_customer(
    org: Organization, query: str, expected: list[str]
) -> None:
    assert found(org, query) == expected


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("atelier", ["C"]),  # a company word
        ("sarl atel", ["C"]),
        ("epi d'or", ["F"]),
        ("boulangerie lyon", ["F"]),
        ("Lyon", ["F", "A"]),  # a city
        ("saint-etienne", ["E"]),
        ("etienne", ["E"]),
        ("creteil", ["D"]),
        ("69003", ["A"]),  # a postcode, whole or by its start
        ("750", ["B"]),
        ("loic.nguessan@exemple.fr", ["D"]),  # an e-mail, whole or by its start
        ("loic.ngu", ["D"]),
    ],
)
def test_a_customer_is_found_by_company_city_postcode_or_email(
    org: Organization, query: str, expected: list[str]
) -> None:
    assert found(org, query) == expected


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("query", ["xavier", "lyo paris", "ene", "uessan", "’", "!!", "  "])
def test_a_search_that_matches_nothing_finds_nobody(org: Organization, query: str) -> None:
    # The middle of a word is not its start, and a query without letters or digits asks for nothing.
    if query.strip():
        assert found(org, query) == []


def test_another_organizations_customers_are_never_found(org: Organization, other_org: Organization) -> None:
    # Given two organizations with customers of the same name, city and phone
    _customer(org, "OURS", "Chloé", "Martin", city="Lyon", phone="06 12 34 56 78")
    _customer(other_org, "THEIRS", "Chloé", "Martin", city="Lyon", phone="06 12 34 56 78")
    _customer(other_org, "OURS-2", "Léa", "Roux")
    # When one organization searches
    # Then it finds its own customer only, whatever it searches by
    for query in ["chloe", "martin chloe", "lyon", "0612345678", "ours", "THEIRS", "lea"]:
        assert found(org, query) in (["OURS"], []), query
    assert found(org, "theirs") == []
    assert found(org, "lea roux") == []
    assert found(other_org, "chloe") == ["THEIRS"]


def test_the_list_page_and_the_api_search_alike(org: Organization, owner_client: Client) -> None:
    # Given customers, and an API key of the organization
    from ecoute.accounts.models import ApiKey

    _customer(org, "A", "Chloé", "Martin", city="Lyon", phone="06 12 34 56 78")
    _customer(org, "B", "Léa", "Dubois", city="Lyon")
    _key, secret = ApiKey.issue(org, "CRM")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    for query, expected in [("chloe lyon", ["A"]), ("lyon", ["B", "A"]), ("06 12 34", ["A"])]:
        # When the list page and the API are searched
        page = owner_client.get(reverse("customers:customer_list"), {"q": query})
        listed = api.get("/api/v1/customers", {"q": query}).json()
        # Then both find the same customers, sorted by name
        assert [customer.external_id for customer in page.context["page"]] == expected
        assert [customer["external_id"] for customer in listed["results"]] == expected
        assert listed["count"] == len(expected)
