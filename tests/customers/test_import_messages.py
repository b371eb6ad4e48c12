"""Every problem the file reader can report has a sentence in the user's language."""

from django.utils import translation

from ecoute.customers.importing.problems import FILE_PROBLEMS, REASONS, ImportFileError, RowProblem
from ecoute.lib.tabular_errors import MESSAGES


def test_every_code_of_the_file_reader_has_a_translated_sentence() -> None:
    missing = [code for code in MESSAGES if code not in FILE_PROBLEMS and code not in REASONS]
    assert missing == []


def test_file_problems_are_said_in_french_with_their_details() -> None:
    with translation.override("fr"):
        said = ImportFileError("ragged_row", line=12, found=5, expected=4).describe()
    assert "12" in said
    assert "5" in said
    assert "Line" not in said


def test_a_problem_missing_a_detail_is_still_said_rather_than_failing() -> None:
    assert "CSV" in ImportFileError("unsupported_format").describe()
    assert RowProblem(3, "Montant", "x", "too_long").reason
    assert ImportFileError("some_new_code", detail="x").describe() == "some_new_code"
