"""Counts and durations read as the reader writes them, with French plural rules."""

import pytest
from django.utils import translation

from ecoute.lib.quantities import days_late, grouped, record_counts, seconds


@pytest.mark.parametrize(
    ("language", "days", "expected"),
    [
        ("fr", 0, "0 jour de retard"),
        ("fr", 1, "1 jour de retard"),
        ("fr", 3, "3 jours de retard"),
        ("en", 1, "1 day late"),
        ("en", 0, "0 days late"),
    ],
)
def test_days_late_follow_each_language_plural_rule(language: str, days: int, expected: str) -> None:
    # Given a reader's language / When a delivery delay is told / Then its noun agrees with the number
    with translation.override(language):
        assert days_late(days) == expected


def test_french_groups_thousands_and_writes_a_decimal_comma() -> None:
    # Given a French reader
    with translation.override("fr"):
        # When numbers and a duration are written / Then digits are grouped and the decimal is a comma
        assert grouped(1234567) == "1\N{NO-BREAK SPACE}234\N{NO-BREAK SPACE}567"
        assert seconds(3.84) == "3,8 s"
    with translation.override("en"):
        assert grouped(1234567) == "1,234,567"
        assert seconds(3.84) == "3.8 s"


def test_record_counts_name_each_kind_with_its_own_plural() -> None:
    # Given counts of one, none and many
    counts = {"customers": 2000, "transactions": 1, "consents": 0, "loyalty_acts": 2}
    # When told in French and in English
    with translation.override("fr"):
        french = record_counts(counts)
    with translation.override("en"):
        english = record_counts(counts)
    # Then each noun agrees with its number, in the reader's rules
    assert french == "2\N{NO-BREAK SPACE}000 clients, 1 transaction, 0 consentement, 2 actes de fidélité"
    assert english == "2,000 customers, 1 transaction, 0 consents, 2 loyalty acts"
