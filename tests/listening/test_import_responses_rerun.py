"""`ecoute import responses` run again, run dry, stopped in the middle, or pointed at what is not the
organization's: it never stores a response twice and never reaches another organization."""

from pathlib import Path
from typing import Any

import pytest
from django.db.models import Count

from ecoute.accounts.models import Organization
from ecoute.listening import response_import
from ecoute.listening.models import Answer, Response
from tests.customers.importing import failing_import
from tests.listening.responses_files import (
    FRENCH_ROWS,
    import_responses,
    json_report,
    listening_customers,
    listening_survey,
    write_french_export,
)


def _stored(survey_id: int) -> list[tuple[str, str, int]]:
    """Each stored response as (customer, import key, number of answers)."""
    stored = Response.objects.filter(survey_id=survey_id).annotate(answered=Count("answers"))
    return sorted(stored.values_list("customer__external_id", "import_key", "answered"))


@pytest.mark.django_db
def test_a_rerun_imports_nothing_twice_and_says_so(tmp_path: Path, org: Organization) -> None:
    # Given an export imported once
    survey = listening_survey(org)
    listening_customers(org)
    path = write_french_export(tmp_path / "r.csv")
    import_responses(str(path), "--org", org.slug, "--survey", survey.slug)
    before = _stored(survey.pk)
    answers = Answer.objects.count()
    # When the same file is imported again
    out, _err = import_responses(str(path), "--org", org.slug, "--survey", survey.slug, "--language", "en")
    # Then nothing is added, and the user is told why
    assert "3 responses of this file were imported before: left as they were." in out
    assert "0 rows imported, 0 rejected, from 3 lines." in out
    assert _stored(survey.pk) == before
    assert Answer.objects.count() == answers
    # and a later export holding the same answers and a new one adds only the new one
    later = write_french_export(tmp_path / "r2.csv", FRENCH_ROWS + "C2;;20/03/2024;10;;;;;;;;;\n")
    out, _err = import_responses(str(later), "--org", org.slug, "--survey", survey.slug, "--language", "en")
    assert "1 row imported, 0 rejected, from 4 lines." in out
    assert len(_stored(survey.pk)) == 4


@pytest.mark.django_db
def test_a_row_repeated_in_the_file_is_stored_once(tmp_path: Path, org: Organization) -> None:
    survey = listening_survey(org)
    listening_customers(org)
    row = "C1;;15/03/2024;9;;;;;;;;;\n"
    path = write_french_export(tmp_path / "r.csv", row + row + "C1;;15/03/2024;10;;;;;;;;;\n")
    out, _err = import_responses(str(path), "--org", org.slug, "--survey", survey.slug, "--language", "en")
    # Two answers of the same customer on the same day that differ are two responses; the same twice is one
    assert "2 rows imported, 1 duplicate line folded into an earlier one, 0 rejected, from 3 lines." in out
    assert len(_stored(survey.pk)) == 2


@pytest.mark.django_db
def test_a_dry_run_predicts_exactly_what_the_real_run_does(tmp_path: Path, org: Organization) -> None:
    # Given an export of which one row was imported before, one row repeats another, one row is bad
    survey = listening_survey(org)
    listening_customers(org)
    import_responses(
        str(write_french_export(tmp_path / "before.csv", "C1;;14/03/2024;9;;;;;;;;;\n")),
        "--org", org.slug, "--survey", survey.slug,
    )  # fmt: skip
    rows = (
        FRENCH_ROWS
        + "C1;;14/03/2024;9;;;;;;;;;\nC9;;15/03/2024;9;;;;;;;;;\n"
        + FRENCH_ROWS.splitlines()[1]
        + "\n"
    )
    path = write_french_export(tmp_path / "r.csv", rows)
    args = (str(path), "--org", org.slug, "--survey", survey.slug, "--skip-invalid", "--language", "en")
    # When it is checked with --dry-run, then imported
    dry = json_report(*args, "--dry-run")
    assert _stored(survey.pk) == [("C1", Response.objects.get().import_key, 1)]
    real = json_report(*args)
    # Then the dry run said exactly what the real run did
    assert (
        dry["counts"]
        == real["counts"]
        == {
            "lines": 6,
            "written": 3,
            "duplicates": 1,
            "rejected": 1,
            "problems": 1,
        }
    )

    def same(report: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in report.items() if key not in ("status", "dry_run")}

    assert same(dry) == same(real)
    assert (dry["status"], real["status"]) == ("checked", "succeeded")
    assert len(_stored(survey.pk)) == 4


@pytest.mark.django_db
def test_an_import_stopped_in_the_middle_resumes_without_duplicates(
    tmp_path: Path, org: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an import that writes one response per batch, and dies while writing the second batch
    survey = listening_survey(org)
    listening_customers(org)
    path = write_french_export(tmp_path / "r.csv")
    monkeypatch.setattr(response_import, "BATCH_SIZE", 1)
    write = response_import._write
    calls = []

    def dies_on_the_second_batch(*args: Any) -> None:
        calls.append(1)
        write(*args)
        if len(calls) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(response_import, "_write", dies_on_the_second_batch)
    with pytest.raises(KeyboardInterrupt):
        import_responses(str(path), "--org", org.slug, "--survey", survey.slug)
    # Then the first batch is stored whole, the second not at all
    assert [customer for customer, _key, _n in _stored(survey.pk)] == ["C1"]
    assert Answer.objects.filter(response__survey=survey).count() == 8  # its eight answers
    # When the same command is run again
    monkeypatch.setattr(response_import, "_write", write)
    out, _err = import_responses(str(path), "--org", org.slug, "--survey", survey.slug, "--language", "en")
    # Then it stores the rest, and the first response once
    assert "1 response of this file was imported before: left as it was." in out
    assert "2 rows imported, 0 rejected, from 3 lines." in out
    assert [customer for customer, _key, _n in _stored(survey.pk)] == ["C1", "C2", "C3"]


@pytest.mark.django_db
def test_another_organizations_survey_is_unknown(
    tmp_path: Path, org: Organization, other_org: Organization
) -> None:
    # Given a survey of another organization, and customers of ours
    theirs = listening_survey(other_org, slug="leur-enquete")
    listening_customers(org)
    path = write_french_export(tmp_path / "r.csv")
    # When our answers are imported into its slug
    message, _err = failing_import(
        "responses", str(path), "--org", org.slug, "--survey", theirs.slug, "--language", "en"
    )
    # Then the survey is not found, as if it did not exist, and nothing is stored
    assert message == "No survey “leur-enquete” in Maison Lumière."
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_another_organizations_customers_are_unknown(
    tmp_path: Path, org: Organization, other_org: Organization
) -> None:
    survey = listening_survey(org)
    listening_customers(other_org)
    path = write_french_export(tmp_path / "r.csv")
    _message, err = failing_import(
        "responses", str(path), "--org", org.slug, "--survey", survey.slug, "--language", "en"
    )
    assert "line 2, column “Code client”, value “C1”: no customer has this CRM id" in err
    assert "line 4, column “E-mail”, value “claire@exemple.fr”: no customer has this e-mail address" in err
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_map_names_a_columns_question_and_an_unknown_question_is_refused(
    tmp_path: Path, org: Organization
) -> None:
    # Given an export whose NPS column is named after nothing the survey says
    survey = listening_survey(org)
    listening_customers(org)
    path = write_french_export(tmp_path / "r.csv")
    text = path.read_bytes().decode("cp1252").replace("Recommanderiez-vous notre maison à un proche ?", "Q1")
    path.write_bytes(text.encode("cp1252"))
    args = (str(path), "--org", org.slug, "--survey", survey.slug, "--language", "en")
    # When it is imported as it is, then the column is ignored
    out, _err = import_responses(*args, "--dry-run")
    assert "Columns ignored: Q1, Source." in out
    # When --map names its question, then it feeds it
    out, _err = import_responses(*args, "--map", "Q1=recommend")
    assert "Q1 → recommend" in out
    assert Response.objects.filter(nps_level="promoter").count() == 1
    # and a question the survey does not have is refused, with the ones it has
    message, _err = failing_import("responses", *args, "--map", "Q1=loyalty")
    assert "“loyalty” is not a field that can be imported" in message
    assert "recommend, satisfaction, effort" in message


@pytest.mark.django_db
def test_a_file_without_a_question_or_a_customer_column_is_refused(tmp_path: Path, org: Organization) -> None:
    # Given a file whose columns name no question, and one without a customer column
    survey = listening_survey(org)
    listening_customers(org)
    args = ("--org", org.slug, "--survey", survey.slug, "--language", "en")
    path = tmp_path / "b.csv"
    path.write_text("Code client;Date;Note\nC1;15/03/2024;9\n", encoding="utf-8")
    message, _err = failing_import("responses", str(path), *args)
    assert message.startswith(
        "No column holds the answers to a question of the survey (questions: recommend,"
    )
    path.write_text("Date;recommend\n15/03/2024;9\n", encoding="utf-8")
    message, _err = failing_import("responses", str(path), *args)
    assert message.startswith("A required column is missing: customer CRM id or e-mail.")
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_survey_goes_with_responses_and_responses_need_a_survey(tmp_path: Path, org: Organization) -> None:
    path = write_french_export(tmp_path / "r.csv")
    message, _err = failing_import("responses", str(path), "--org", org.slug, "--language", "en")
    assert message == "Say which survey was answered: --survey SLUG."
    message, _err = failing_import(
        "customers", str(path), "--org", org.slug, "--survey", "x", "--language", "en"
    )
    assert message.startswith("--survey goes with responses")
