"""The lost-customers page: segments with their figures in the reader's language, filters from the
query string, bad values said and left out (never a 500), other organizations' customers never shown,
the chosen segment's customers page by page."""

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.test import Client

from ecoute.accounts.models import Organization, Role
from ecoute.customers.queries import refresh_purchase_stats
from ecoute.retention.models import ActivityStatus, CustomerStatus
from tests.conftest import member_client
from tests.factories import MembershipFactory
from tests.retention.purchases import customer_buying
from tests.retention.slipping_shop import NOW, slipping_shop

pytestmark = pytest.mark.django_db
URL = "/retention/lost/"


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_manager_reads_each_segment_with_its_figures_in_french(
    owner_client: Client, org: Organization
) -> None:
    # Given the slipping shop
    slipping_shop(org)

    # When the owner opens the page grouped by store
    response = owner_client.get(URL, {"by": "store"})

    # Then each store is a row, and the whole segment adds up in French money with its intervals
    assert response.status_code == 200
    page = response.text
    assert "Clients perdus ou à risque." in page
    assert ">Rennes</a>" in page
    assert "Aucun point de vente" in page
    assert '<td class="num" data-testid="segment-customers">4</td>' in page
    assert "3\xa0396\xa0€" in page  # 3 395,50 € spent, to the euro
    assert "1\xa0550\xa0€" in page
    assert "1\xa0400\xa0€ à 1\xa0825\xa0€" in page
    assert "820\xa0€" in page
    assert "720\xa0€ à 1\xa0010\xa0€" in page
    # And the customers are listed with their figures, Bruno first
    assert page.index("Bruno") < page.index("Anne") < page.index("Chloé") < page.index("Denis")
    assert "20\xa0%" in page  # Anne's chance still active


def test_an_english_reader_reads_english_numbers(owner_client: Client, org: Organization) -> None:
    slipping_shop(org)
    page = owner_client.get(URL, HTTP_ACCEPT_LANGUAGE="en").text
    assert "Lost or at-risk customers." in page
    assert "€3,396" in page
    assert "€1,400 to €1,825" in page


def test_the_filters_in_the_query_string_choose_the_segment_and_its_customers(
    owner_client: Client, org: Organization
) -> None:
    # Given the slipping shop
    slipping_shop(org)

    # When the owner asks for lost customers of Bretagne who last bought 1 to 2 years ago
    response = owner_client.get(URL, {"status": "lost", "region": "Bretagne", "recency": "1-2y", "by": "nps"})

    # Then only Anne is in it, and the sentence says so
    page = response.text
    assert response.status_code == 200
    assert "Anne" in page
    assert "Bruno" not in page
    assert "Chloé" not in page
    sentence = (
        "Clients perdus de la région «\xa0Bretagne\xa0», ayant acheté pour la dernière fois il y a 1 à 2 ans."
    )
    assert sentence in page
    # And each row links to the segment narrowed to its band, keeping the grouping
    assert 'href="?status=lost&amp;region=Bretagne&amp;recency=1-2y&amp;nps=detractor&amp;by=nps"' in page


@pytest.mark.parametrize(
    "query",
    [
        {"status": "perdu"},
        {"value": "beaucoup"},
        {"recency": "1-2y", "nps": "<script>"},
        {"store": "x" * 500},
        {"region": "Bre\x00tagne"},
        {"by": "everything", "page": "-3"},
        {"page": "abc"},
        {"clv": ["100-500", "huge"]},
    ],
)
def test_a_bad_value_is_said_and_left_out_never_a_failure(
    owner_client: Client, org: Organization, query: dict[str, str]
) -> None:
    # Given the slipping shop
    slipping_shop(org)

    # When a filter holds a value the page does not know
    response = owner_client.get(URL, query)

    # Then the page answers, with a message naming the filter when a filter is wrong, and escapes it
    assert response.status_code in {200, 400}
    assert "<script>" not in response.text
    if response.status_code == 400:
        assert "est ignoré" in response.text


def test_a_bad_status_is_named_in_the_message(owner_client: Client, org: Organization) -> None:
    slipping_shop(org)
    response = owner_client.get(URL, {"status": "perdu", "store": "Rennes"})
    assert response.status_code == 400
    assert "Le filtre statut «\xa0perdu\xa0» est ignoré" in response.text
    # And the valid filter still applies
    assert "Anne" in response.text
    assert "Bruno" not in response.text


def test_another_organizations_customers_are_never_shown(
    owner_client: Client, org: Organization, other_org: Organization
) -> None:
    # Given a lost customer of another organization only
    theirs = customer_buying(other_org, date(2024, 1, 5), amount="9999.00")
    theirs.last_name = "Étrangère"
    theirs.save()
    CustomerStatus.objects.create(
        organization=other_org,
        customer=theirs,
        status=ActivityStatus.LOST,
        lost_after_days=180,
        computed_at=NOW,
    )
    refresh_purchase_stats(other_org.pk)

    # When the owner opens the page, by every dimension and on the other organization's store
    for by in ("value", "clv", "recency", "status", "store", "region", "nps"):
        page = owner_client.get(URL, {"by": by}).text
        # Then neither the customer nor their money shows
        assert "Étrangère" not in page
        assert "9\xa0999" not in page
    # And the other organization's customer page answers 404
    assert owner_client.get(f"/customers/{theirs.pk}/").status_code == 404


def test_the_customers_come_fifty_a_page(owner_client: Client, org: Organization) -> None:
    # Given 51 lost customers
    for _index in range(51):
        customer = customer_buying(org, date(2025, 1, 10))
        CustomerStatus.objects.create(
            organization=org,
            customer=customer,
            status=ActivityStatus.LOST,
            lost_after_days=180,
            computed_at=NOW,
        )
    refresh_purchase_stats(org.pk)

    # When the first and second pages of the lost customers are opened
    first = owner_client.get(URL, {"status": "lost"}).text
    second = owner_client.get(URL, {"status": "lost", "page": "2"}).text

    # Then the first lists 50 and links to the second, which lists the last one
    assert first.count('<td class="nowrap"><a href="/customers/') == 50
    assert "Page 1 sur 2 · 51 clients" in first
    assert 'href="?status=lost&amp;by=value&amp;page=2"' in first
    assert second.count('<td class="nowrap"><a href="/customers/') == 1


def test_a_viewer_without_access_to_customers_is_refused(org: Organization) -> None:
    viewer = MembershipFactory.create(organization=org, role=Role.VIEWER, user__email="viewer@maison.fr")
    assert member_client(viewer).get(URL).status_code == 403


def test_the_page_is_reached_from_the_retention_page_and_the_navigation(owner_client: Client) -> None:
    page = owner_client.get("/retention/").text
    assert page.count(f'href="{URL}"') == 2
    assert datetime(2026, 7, 15, tzinfo=UTC)  # frozen time holds


@pytest.mark.parametrize(
    ("store", "language", "said"),
    [
        ("Brest", "fr", "0 client dans ce segment"),
        ("Nantes", "fr", "1 client dans ce segment"),
        ("Rennes", "fr", "2 clients dans ce segment"),
        ("Brest", "en", "0 customers in this segment"),
        ("Nantes", "en", "1 customer in this segment"),
        ("Rennes", "en", "2 customers in this segment"),
    ],
)
def test_the_segments_customers_are_counted_in_the_readers_plural(
    owner_client: Client, org: Organization, store: str, language: str, said: str
) -> None:
    # Given the slipping shop, when a store's segment opens, then its count follows the language's plural
    slipping_shop(org)
    page = owner_client.get(URL, {"store": store}, HTTP_ACCEPT_LANGUAGE=language).text
    assert said in page


def test_a_sum_without_intervals_claims_no_certainty(owner_client: Client, org: Organization) -> None:
    # Given the slipping shop, where Bruno alone (2 000 € or more) was scored without an interval
    slipping_shop(org)
    # When the page groups by what they spent
    page = owner_client.get(URL).text
    # Then his row says it has no interval, not "1 200 € à 1 200 €", and the total says how many it
    # leaves out
    assert "1\xa0200\xa0€ à 1\xa0200\xa0€" not in page
    assert "pas d’intervalle" in page
    assert "1\xa0400\xa0€ à 1\xa0825\xa0€, 1 client sans intervalle" in page
