"""Every reason code the reading layer raises has a default English message."""

from __future__ import annotations

import re
from pathlib import Path

import ecoute.lib
from ecoute.lib.tabular_errors import MESSAGES, InvalidValueError, TabularError

LIB = Path(ecoute.lib.__file__).parent
READING_MODULES = [
    "tabular.py",
    "csv_source.py",
    "text_encoding.py",
    "sheet_source.py",
    "sheet_reader.py",
    "workbook_checks.py",
    "sheet_extent.py",
    "ods_extent.py",
    "values.py",
    "dates.py",
    "columns.py",
]


def test_every_raised_code_has_a_message_for_callers_to_translate() -> None:
    # Given the reason codes written in the reading modules
    source = "\n".join((LIB / name).read_text() for name in READING_MODULES)
    codes = set(re.findall(r'(?:TabularError|InvalidValueError|_invalid)\(\s*"(\w+)"', source))

    # When they are looked up in the message table
    missing = codes - set(MESSAGES)

    # Then none is missing
    assert len(codes) > 15
    assert missing == set()


def test_an_error_reads_as_english_text_and_keeps_its_code_and_params() -> None:
    # Given a ragged-row error and an invalid number
    ragged = TabularError("ragged_row", line=12, found=3, expected=5)
    number = InvalidValueError("invalid_number", value="12,5,0")

    # When they are shown
    # Then the default text is filled in, and the code and params stay for translation
    assert str(ragged) == "Line 12: 3 fields where the header has 5."
    assert (ragged.code, ragged.params) == ("ragged_row", {"line": 12, "found": 3, "expected": 5})
    assert str(number) == "'12,5,0' is not a number."
    assert isinstance(number, ValueError)


def test_an_unknown_code_or_missing_param_never_breaks_the_message() -> None:
    # Given errors built with an unknown code, or without the params their text names
    # When they are shown
    # Then the text falls back instead of raising
    assert str(TabularError("something_new")) == "something_new"
    assert "{line}" in str(TabularError("ragged_row"))
