"""RetentionSegment, the one definition of a segment of lost and at-risk customers: read from a query
string (bad values named and left out), written back, stored as JSON, said in a sentence."""

import pytest
from django.http import QueryDict
from django.utils import translation

from ecoute.retention.segments import RetentionSegment, SegmentError, dimension_from_query


def test_a_query_string_gives_the_segment_and_its_query_string_gives_it_back() -> None:
    # Given a query string of every filter, a blank region among them
    query = QueryDict(
        "status=lost&store=Rennes+Centre&region=-&value=100-500&clv=unscored&recency=1-2y&nps=none"
    )

    # When it is read and written back
    segment = RetentionSegment.from_query(query)

    # Then each filter is kept, and the query string reads back to the same segment
    assert segment == RetentionSegment(
        status="lost",
        store="Rennes Centre",
        region="",
        value="100-500",
        clv="unscored",
        recency="1-2y",
        nps="none",
    )
    assert segment.problems == ()
    assert RetentionSegment.from_query(QueryDict(segment.to_query())) == segment
    assert segment.to_query().startswith("status=lost&store=Rennes+Centre&region=-&")


def test_the_default_segment_has_an_empty_query_string() -> None:
    assert RetentionSegment.from_query(QueryDict("")) == RetentionSegment()
    assert RetentionSegment().to_query() == ""
    assert RetentionSegment.from_query(QueryDict("status=both&value=")) == RetentionSegment()


def test_bad_values_are_left_out_and_named() -> None:
    # Given values the segment does not know
    with translation.override("en"):
        segment = RetentionSegment.from_query(
            QueryDict(f"status=gone&value=lots&recency=1-2y&store={'x' * 101}&nps=promoter")
        )

    # Then the good ones are kept and each bad one is named with its reason
    assert segment == RetentionSegment(recency="1-2y", nps="promoter")
    assert len(segment.problems) == 3
    assert segment.problems[0].startswith(
        "The filter status “gone” is left out: expected one of: both, at_risk"
    )
    assert "at most 100 characters" in segment.problems[1]
    assert "spent in their last year “lots”" in segment.problems[2]


def test_the_segment_is_stored_as_json_and_read_back() -> None:
    segment = RetentionSegment(status="at_risk", region="Bretagne", nps="detractor")
    assert segment.to_json() == {"status": "at_risk", "region": "Bretagne", "nps": "detractor"}
    assert RetentionSegment.from_json(segment.to_json()) == segment


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"status": "perdu"},
        {"colour": "red"},
        {"store": 12},
        {"value": "100-500", "recency": "forever"},
    ],
)
def test_a_stored_segment_that_cannot_be_read_is_refused_with_its_reasons(data: object) -> None:
    with pytest.raises(SegmentError) as refused:
        RetentionSegment.from_json(data)
    assert refused.value.problems


def test_the_dimension_is_one_the_page_knows() -> None:
    assert dimension_from_query(QueryDict("by=nps")) == "nps"
    assert dimension_from_query(QueryDict("by=anything")) == "value"
    assert dimension_from_query(QueryDict("")) == "value"


@pytest.mark.parametrize(
    ("language", "segment", "sentence"),
    [
        ("en", RetentionSegment(), "Lost or at-risk customers."),
        ("fr", RetentionSegment(), "Clients perdus ou à risque."),
        (
            "en",
            RetentionSegment(status="lost", store="Rennes", value="500-2000", nps="detractor"),
            (
                "Lost customers whose last purchase was in the store “Rennes”, who spent €500 to €2,000 "
                "in their last year, detractors by their last NPS answer."
            ),
        ),
        (
            "fr",
            RetentionSegment(status="at_risk", region="", clv="2000-plus", recency="2y+", nps="none"),
            (
                "Clients à risque sans région, qui vaudraient 2\xa0000\xa0€ ou plus s’ils étaient restés, "
                "ayant acheté pour la dernière fois il y a plus de 2 ans, "
                "n’ayant jamais donné de réponse NPS."
            ),
        ),
    ],
)
def test_the_segment_is_said_in_one_sentence_of_the_readers_language(
    language: str, segment: RetentionSegment, sentence: str
) -> None:
    with translation.override(language):
        assert segment.describe("EUR") == sentence
