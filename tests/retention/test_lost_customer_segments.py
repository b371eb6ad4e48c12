"""Lost and at-risk customers' counts, spending and values per segment, summed in SQL, against the hand
computations of the slipping shop (tests/retention/slipping_shop.py)."""

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ecoute.accounts.models import Organization
from ecoute.retention.lost_customers import figures_total, segment_figures
from ecoute.retention.segments import RetentionSegment
from tests.retention.slipping_shop import NOW, slipping_shop

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_whole_segment_adds_up_the_slipping_customers_only(
    org: Organization, other_org: Organization
) -> None:
    # Given the slipping shop, and the same shop in another organization
    slipping_shop(org)
    slipping_shop(other_org)

    # When its lost and at-risk customers are summed, in one statement
    with CaptureQueriesContext(connection) as queries:
        figures = segment_figures(org, RetentionSegment(), "value")
    whole = figures_total(figures)

    # Then Anne, Bruno, Chloé and Denis count, not Emma who is active nor the other organization's
    assert len(queries) == 1
    assert "GROUP BY" in queries[0]["sql"]
    assert whole.customers == 4
    # And they spent 250 + 3 000 + (80 + 40 − 20) + 45,50 in their last year as customers
    assert whole.spent_last_year == Decimal("3395.50")
    # And had they stayed they would be worth 200 + 1 200 + 150, the interval adding the bounds, Bruno's
    # value without an interval on both sides
    stayed = whole.value_stayed
    assert stayed.estimate == pytest.approx(1550)
    assert stayed.low == pytest.approx(100 + 1200 + 100)
    assert stayed.high == pytest.approx(400 + 1200 + 225)
    assert (stayed.values, stayed.without_interval) == (3, 1)
    # And winning them back is worth 160 + 600 + 60
    won_back = whole.value_won_back
    assert won_back.estimate == pytest.approx(820)
    assert won_back.low == pytest.approx(80 + 600 + 40)
    assert won_back.high == pytest.approx(320 + 600 + 90)


def _by(
    org: Organization, dimension: str, segment: RetentionSegment | None = None
) -> dict[str, tuple[int, Decimal]]:
    figures = segment_figures(org, segment or RetentionSegment(), dimension)
    return {figure.band: (figure.customers, figure.spent_last_year) for figure in figures}


def test_each_dimension_groups_the_customers_by_their_band(org: Organization) -> None:
    # Given the slipping shop
    slipping_shop(org)

    # Then by what they spent in their last year: Denis under 100 €, Anne and Chloé 100 to 500 €, Bruno 2 000+
    assert _by(org, "value") == {
        "under-100": (1, Decimal("45.50")),
        "100-500": (2, Decimal("350.00")),
        "2000-plus": (1, Decimal("3000.00")),
    }
    # And by value had they stayed: Anne 200 and Chloé 150, Bruno 1 200, Denis not scored
    assert {band: n for band, (n, _spent) in _by(org, "clv").items()} == {
        "100-500": 2,
        "500-2000": 1,
        "unscored": 1,
    }
    # And by the store of the last purchase (Chloé's refund in Nantes is not a purchase)
    assert {band: n for band, (n, _spent) in _by(org, "store").items()} == {"Rennes": 2, "Nantes": 1, "": 1}
    assert {band: n for band, (n, _spent) in _by(org, "region").items()} == {
        "Bretagne": 2,
        "Pays de la Loire": 1,
        "": 1,
    }
    # And by the level of the latest NPS answer (Chloé was a detractor, then a promoter)
    assert {band: n for band, (n, _spent) in _by(org, "nps").items()} == {
        "detractor": 1,
        "promoter": 1,
        "passive": 1,
        "none": 1,
    }
    # And by how long ago they last bought, on 15 July 2026
    assert {band: n for band, (n, _spent) in _by(org, "recency").items()} == {"3-6m": 2, "1-2y": 1, "2y+": 1}
    assert {band: n for band, (n, _spent) in _by(org, "status").items()} == {"at_risk": 2, "lost": 2}


def test_the_rows_come_in_the_order_of_their_bands(org: Organization) -> None:
    slipping_shop(org)
    bands = [figure.band for figure in segment_figures(org, RetentionSegment(), "recency")]
    assert bands == ["3-6m", "1-2y", "2y+"]


@pytest.mark.parametrize(
    ("segment", "names"),
    [
        (RetentionSegment(status="lost"), {"Anne", "Bruno"}),
        (RetentionSegment(status="at_risk"), {"Chloé", "Denis"}),
        (RetentionSegment(store="Rennes"), {"Anne", "Chloé"}),
        (RetentionSegment(store=""), {"Denis"}),
        (RetentionSegment(region="Bretagne", status="lost"), {"Anne"}),
        (RetentionSegment(region=""), {"Denis"}),
        (RetentionSegment(value="100-500"), {"Anne", "Chloé"}),
        (RetentionSegment(clv="unscored"), {"Denis"}),
        (RetentionSegment(clv="500-2000"), {"Bruno"}),
        (RetentionSegment(recency="2y+"), {"Bruno"}),
        (RetentionSegment(nps="none"), {"Bruno"}),
        (RetentionSegment(nps="detractor"), {"Anne"}),
        (RetentionSegment(store="Rennes", nps="promoter", recency="3-6m"), {"Chloé"}),
        (RetentionSegment(store="Brest"), set()),
    ],
)
def test_each_filter_narrows_the_customers(
    org: Organization, segment: RetentionSegment, names: set[str]
) -> None:
    # Given the slipping shop, when a segment's customers are asked for
    slipping_shop(org)
    customers = segment.customers(org)
    # Then they are the segment's, and its figures count as many
    assert {customer.last_name for customer in customers} == names
    assert figures_total(segment_figures(org, segment, "value")).customers == len(names)


def test_the_customers_come_most_valuable_had_they_stayed_first_with_their_figures(org: Organization) -> None:
    slipping_shop(org)
    customers: list[Any] = list(RetentionSegment().customers(org))
    assert [customer.last_name for customer in customers] == ["Bruno", "Anne", "Chloé", "Denis"]
    chloe = customers[2]
    assert chloe.yearly_revenue == Decimal("100.00")
    assert chloe.last_store == "Rennes"
    assert chloe.nps_level == "promoter"
    assert chloe.value_stayed == pytest.approx(150)
