"""`ecoute import responses`: answers collected by another tool become responses of a survey, with the
importer's reading, mapping printout and messages, and count like any other response."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.utils import translation

from ecoute.accounts.models import Organization
from ecoute.listening.models import Answer, Response
from ecoute.listening.results import customer_listening, question_results
from ecoute.listening.results_funnel import responses_by_channel
from tests.customers.importing import failing_import
from tests.lib.spreadsheet_files import write_xlsx
from tests.listening.responses_files import (
    CSAT_COLUMN,
    NPS_COLUMN,
    import_responses,
    listening_customers,
    listening_survey,
    write_french_export,
)


def _answers(response: Response) -> dict[str, object]:
    found: dict[str, object] = {}
    for answer in Answer.objects.filter(response=response).select_related("question"):
        code = answer.question.code
        found[code] = answer.choices or answer.text or answer.number
        if answer.importance is not None:
            found[f"{code} importance"] = answer.importance
    return found


@pytest.mark.django_db
def test_a_french_export_becomes_responses_matched_by_crm_id_or_email(
    tmp_path: Path, org: Organization
) -> None:
    # Given a survey of every question type, its customers, and a French export of their answers
    survey = listening_survey(org)
    customers = listening_customers(org)
    path = write_french_export(tmp_path / "réponses.csv")
    # When it is imported
    out, err = import_responses(str(path), "--org", org.slug, "--survey", survey.slug, "--language", "en")
    # Then it says how it read the file, which column fed which question, and which were ignored
    assert "Encoding found: Windows-1252" in out
    assert "Code client → customer, E-mail → email, Date de réponse → answered_at" in out
    assert "Recommanderiez-vous notre maison à un proche ? → recommend" in out
    assert "La livraison (importance) → delivery__importance, La livraison → delivery" in out
    assert "Column ignored: Source." in out
    assert "3 rows imported, 0 rejected, from 3 lines." in out
    assert err == ""
    # and each row is a completed response of the channel "import", without an invitation
    assert Response.objects.filter(survey=survey).count() == 3
    responses = {ref: Response.objects.get(survey=survey, customer__external_id=ref) for ref in customers}
    assert {(r.channel, r.invitation_id) for r in responses.values()} == {("import", None)}
    first = responses["C1"]
    assert (
        first.completed_at == first.started_at == datetime(2024, 3, 15, 9, 30, tzinfo=UTC)
    )  # 10:30 in Paris
    assert first.nps_level == "promoter"
    assert _answers(first) == {
        "recommend": 9,
        "satisfaction": 5,  # "Très satisfait"
        "effort": 2,
        "liked": ["price", "welcome"],
        "channel": ["shop"],
        "come_back": 1,
        "delivery": 4,
        "delivery importance": 5,
        "comment": "Très bon accueil, merci !",
    }
    second = responses["C2"]
    assert second.nps_level == "detractor"
    assert second.language == "en"  # the customer's language, which the survey speaks
    assert _answers(second)["liked"] == ["advice", "price"]
    assert _answers(second)["come_back"] == 0
    # and the row without a CRM id is the customer of that e-mail, its blank cells not answered
    assert responses["C3"].customer == customers["C3"]
    assert _answers(responses["C3"]) == {"recommend": 8, "satisfaction": 3}


@pytest.mark.django_db
def test_imported_responses_count_in_the_results_and_the_customers_level(
    tmp_path: Path, org: Organization
) -> None:
    # Given a customer who answered an NPS of 10 here in 2023
    survey = listening_survey(org)
    customers = listening_customers(org)
    recommend = survey.questions.get(code="recommend")
    earlier = Response.objects.create(
        organization=org, survey=survey, customer=customers["C2"], channel="email"
    )
    Answer.objects.create(
        response=earlier, question=recommend, number=10, answered_at=datetime(2023, 5, 1, tzinfo=UTC)
    )
    # When the export, where they gave 3 in March 2024, is imported
    import_responses(str(write_french_export(tmp_path / "r.csv")), "--org", org.slug, "--survey", survey.slug)
    # Then the survey's NPS counts the imported answers beside the one given here
    with translation.override("en"):
        nps = next(result for result in question_results(survey) if result.question.code == "recommend")
    assert nps.n == 4
    # and the results tell the imported responses apart by their channel
    with translation.override("en"):
        channels = {(row["channel"], row["completed"]) for row in responses_by_channel(survey)}
    assert channels == {("e-mail", 0), ("import", 3)}  # the one given here was never completed
    # and the customer's current level follows their latest NPS answer, the imported one
    assert customer_listening(customers["C2"]).level == "detractor"
    assert customer_listening(customers["C1"]).level == "promoter"


@pytest.mark.django_db
def test_a_workbook_of_answers_is_imported_like_a_csv(tmp_path: Path, org: Organization) -> None:
    # Given an xlsx export with the other tool's response ids, English headers, real dates and numbers,
    # and the satisfaction with delivery without its importance
    survey = listening_survey(org)
    listening_customers(org)
    path = write_xlsx(
        tmp_path / "answers.xlsx",
        [
            [
                "Response ID",
                "Customer ID",
                "Submitted at",
                "recommend",
                "Any comment?",
                "Will you come back?",
                "Delivery",
            ],
            ["R-1", "C1", datetime(2024, 4, 2, 14, 0), 10.0, "Great", "yes", 4],
            ["R-2", "C3", datetime(2024, 4, 3, 9, 15), 7.0, None, 0, None],
        ],
    )
    # When it is imported
    out, _err = import_responses(str(path), "--org", org.slug, "--survey", survey.slug, "--language", "en")
    # Then each row is a response keyed by the other tool's id
    assert "2 rows imported, 0 rejected, from 2 lines." in out
    assert "Response ID → response_id" in out
    stored = Response.objects.filter(survey=survey).order_by("started_at")
    assert [r.import_key for r in stored] == ["id:R-1", "id:R-2"]
    assert [_answers(r) for r in stored] == [
        {"recommend": 10, "comment": "Great", "come_back": 1, "delivery": 4},
        {"recommend": 7, "come_back": 0},
    ]
    assert stored[1].nps_level == "passive"


@pytest.mark.django_db
def test_bad_rows_are_named_with_their_column_and_reason_and_nothing_is_imported(
    tmp_path: Path, org: Organization
) -> None:
    # Given an export with an unknown customer, an out-of-range score, an unknown choice, a bad date,
    # a row answering nothing, and an importance without its satisfaction
    survey = listening_survey(org)
    listening_customers(org)
    rows = (
        "C1;;15/03/2024;9;Très satisfait;2;Le prix;En magasin;oui;5;4;ok;\n"
        "C9;;15/03/2024;9;;;;;;;;;\n"
        ";inconnu@exemple.fr;15/03/2024;9;;;;;;;;;\n"
        "C2;;15/03/2024;11;Bof;8;Le prix | La vue;Par téléphone;peut-être;;3;;\n"
        "C3;;31/02/2024;5;;;;;;;;;\n"
        "C3;;16/03/2024;;;;;;;;;;\n"
        "C3;;18/03/2024;;;;;;;;3;;\n"
    )
    path = write_french_export(tmp_path / "r.csv", rows)
    # When it is imported
    message, err = failing_import(
        "responses", str(path), "--org", org.slug, "--survey", survey.slug, "--language", "en"
    )
    # Then nothing is imported, and each problem names its line, column and reason
    assert "Nothing was imported: 11 problems in 7 rows." in message
    assert not Response.objects.exists()
    expected = [
        "line 3, column “Code client”, value “C9”: no customer has this CRM id (import the customers first)",
        "line 4, column “E-mail”, value “inconnu@exemple.fr”: no customer has this e-mail address",
        f"line 5, column “{NPS_COLUMN}”, value “11”: out of range: from 0 to 10",
        (
            f"line 5, column “{CSAT_COLUMN}”, value “Bof”: not a score from 1 to 5 nor a level of "
            "satisfaction "
            "(Very dissatisfied, Dissatisfied, Neutral, Satisfied, Very satisfied)"
        ),
        "line 5, column “Effort”, value “8”: out of range: from 1 to 7",
        (
            "line 5, column “Qu'avez-vous apprécié ?”, value “Le prix | La vue”: “La vue” is not one of: "
            "The price, The welcome, The advice"
        ),
        "line 5, column “Où avez-vous acheté ?”, value “Par téléphone”: not one of: In store, On the website",
        "line 5, column “Reviendrez-vous ?”, value “peut-être”: not yes or no (oui/non, yes/no, 1/0)",
        "line 6, column “Date de réponse”, value “31/02/2024”: not a date",
        "line 7: the line answers no question",
        (
            "line 8, column “La livraison (importance)”, value “”: the importance and the satisfaction of a "
            "criterion are given together, or neither"
        ),
    ]
    assert [line for line in err.splitlines() if line] == [
        next(line for line in err.splitlines() if line.startswith(sentence)) for sentence in expected
    ]


@pytest.mark.django_db
def test_problems_are_said_in_french_for_a_french_organization(tmp_path: Path, org: Organization) -> None:
    # Given an export with an unknown customer, a score out of range, a word that is no satisfaction,
    # an unknown e-mail and a line answering nothing
    survey = listening_survey(org)
    listening_customers(org)
    rows = (
        "C9;;15/03/2024;9;;;;;;;;;\nC1;;15/03/2024;12;Bof;;;;;;;;\n"
        ";x@exemple.fr;15/03/2024;9;;;;;;;;;\nC2;;15/03/2024;;;;;;;;;;\n"
    )
    path = write_french_export(tmp_path / "r.csv", rows)
    # When a French organization imports it, without saying the language
    message, err = failing_import("responses", str(path), "--org", org.slug, "--survey", survey.slug)
    # Then every problem is said in French
    assert "Rien n’a été importé" in message
    levels = "Très insatisfait, Insatisfait, Ni satisfait ni insatisfait, Satisfait, Très satisfait"
    not_a_level = f"ni une note de 1 à 5 ni un niveau de satisfaction ({levels})"
    unknown_id = "aucun client n’a cet identifiant CRM (importez d’abord les clients)"
    unknown_email = (
        "aucun client n’a cette adresse e-mail (importez d’abord les clients, ou donnez leur identifiant CRM)"
    )
    assert err.replace("\xa0", " ").splitlines() == [
        f"ligne 2, colonne « Code client », valeur « C9 » : {unknown_id}",
        f"ligne 3, colonne « {NPS_COLUMN} », valeur « 12 » : hors limites : de 0 à 10",
        f"ligne 3, colonne « {CSAT_COLUMN} », valeur « Bof » : {not_a_level}",
        f"ligne 4, colonne « E-mail », valeur « x@exemple.fr » : {unknown_email}",
        "ligne 5 : la ligne ne répond à aucune question",
    ]


@pytest.mark.django_db
def test_skip_invalid_imports_the_good_rows_and_writes_the_others_with_their_reason(
    tmp_path: Path, org: Organization
) -> None:
    survey = listening_survey(org)
    listening_customers(org)
    path = write_french_export(tmp_path / "r.csv", "C1;;15/03/2024;9;;;;;;;;;\nC9;;15/03/2024;9;;;;;;;;;\n")
    rejects = tmp_path / "rejets.csv"
    out, _err = import_responses(
        str(path), "--org", org.slug, "--survey", survey.slug, "--skip-invalid", "--rejects", str(rejects),
        "--language", "en",
    )  # fmt: skip
    assert "1 row imported, 1 rejected, from 2 lines." in out
    assert list(Response.objects.values_list("customer__external_id", flat=True)) == ["C1"]
    written = rejects.read_text(encoding="utf-8-sig").splitlines()
    assert written[1].startswith("C9;")
    assert written[1].endswith("no customer has this CRM id (import the customers first)")


@pytest.mark.django_db
def test_a_broken_file_is_refused_with_the_readers_message(tmp_path: Path, org: Organization) -> None:
    # Given a "CSV" that is a PDF renamed, and one whose quote is never closed
    survey = listening_survey(org)
    listening_customers(org)
    pdf = tmp_path / "export.csv"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    unclosed = write_french_export(
        tmp_path / "r.csv", 'C1;;15/03/2024;9;;;;;;;;"Très bien\n' + "C2;;15/03/2024;9;;;;;;;;;\n" * 30
    )
    # When they are imported, then each is refused with what is wrong, and nothing is stored
    message, _err = failing_import(
        "responses", str(pdf), "--org", org.slug, "--survey", survey.slug, "--language", "en"
    )
    assert "it looks like a PDF document" in message
    message, _err = failing_import(
        "responses", str(unclosed), "--org", org.slug, "--survey", survey.slug, "--language", "en"
    )
    assert 'a quote (") opens a field and is not closed' in message
    assert not Response.objects.exists()
