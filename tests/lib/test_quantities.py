"""Counts and durations read as the reader writes them, with French plural rules."""

from decimal import Decimal

import pytest
from django.utils import translation

from ecoute.lib.quantities import days_late, grouped, money, record_counts, seconds, significant


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


@pytest.mark.parametrize(
    ("language", "amount", "currency", "expected"),
    [
        ("fr", "1249.9", "EUR", "1\N{NO-BREAK SPACE}249,90\N{NO-BREAK SPACE}€"),
        ("en", "1249.9", "EUR", "€1,249.90"),
        ("fr", "-15", "EUR", "\N{MINUS SIGN}15,00\N{NO-BREAK SPACE}€"),
        ("en", "-15", "EUR", "\N{MINUS SIGN}€15.00"),
        ("fr", "12.5", "CHF", "12,50\N{NO-BREAK SPACE}CHF"),
        ("en", "12.5", "CHF", "CHF\N{NO-BREAK SPACE}12.50"),
        ("fr", "1200", "JPY", "1\N{NO-BREAK SPACE}200\N{NO-BREAK SPACE}JPY"),
    ],
)
def test_money_is_written_one_way_per_language(
    language: str, amount: str, currency: str, expected: str
) -> None:
    # Given an amount in a currency / When a reader of that language sees it / Then it reads as their money
    with translation.override(language):
        assert money(Decimal(amount), currency) == expected


def test_a_revenue_total_drops_its_cents_and_keeps_its_grouping() -> None:
    with translation.override("fr"):
        assert (
            money(Decimal("1564996.40"), "EUR", decimals=0)
            == "1\N{NO-BREAK SPACE}564\N{NO-BREAK SPACE}996\N{NO-BREAK SPACE}€"
        )


def test_money_rounds_half_up_instead_of_cutting() -> None:
    with translation.override("en"):
        assert money(Decimal("1234.90"), "EUR", decimals=0) == "€1,235"
        assert money(Decimal("-0.004"), "EUR") == "€0.00"


@pytest.mark.parametrize(
    ("language", "number", "expected"),
    [
        ("fr", 1.01115, "1,011"),
        ("fr", 0.000123456, "0,0001235"),
        ("fr", 10256.97, "10\N{NO-BREAK SPACE}257"),
        ("fr", 10.6, "10,60"),
        ("en", 8.34768, "8.348"),
        ("en", 0.0, "0"),
    ],
)
def test_significant_digits_are_written_in_the_readers_way_without_exponent(
    language: str, number: float, expected: str
) -> None:
    # Given a model parameter / When a reader of that language sees it with four significant digits
    with translation.override(language):
        # Then it reads in their numbers, never as 1.026e+04
        assert significant(number) == expected
