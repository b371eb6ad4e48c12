"""Every problem the file reader can report has a sentence in the user's language."""

from pathlib import Path

from django.utils import translation

from ecoute.accounts.models import Organization
from ecoute.customers.importing.problems import FILE_PROBLEMS, NOTES, REASONS, ImportFileError, RowProblem
from ecoute.customers.importing.reading import reading_notes
from ecoute.lib.tabular_errors import MESSAGES
from tests.customers.importing import failing_import, run_import, write_csv
from tests.lib.spreadsheet_files import write_xlsx


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


def test_a_file_that_is_not_text_is_named_in_french_words(tmp_path: Path, org: Organization) -> None:
    # Given a binary file and a PDF given to the importer by a French user
    binary = tmp_path / "clients.csv"
    binary.write_bytes(b"\x00\x01\x02\x03" * 200)
    pdf = tmp_path / "clients.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    # When each is imported
    said = [
        failing_import("customers", str(p), "--org", org.slug, "--language", "fr")[0] for p in (binary, pdf)
    ]

    # Then what each looks like is said in French
    assert "un fichier binaire" in said[0], said[0]
    assert "un document PDF" in said[1], said[1]
    assert "binary" not in said[0]


def test_the_refusal_counts_problems_and_rows_in_proper_french_plurals(
    tmp_path: Path, org: Organization
) -> None:
    # Given a file of one row with one bad e-mail address
    path = write_csv(tmp_path / "clients.csv", "Code client;E-mail\nC1;pas-une-adresse\n")

    # When a French user imports it
    message, _problems = failing_import("customers", str(path), "--org", org.slug, "--language", "fr")

    # Then the counts read as French does, without "(s)"
    assert "1 problème sur 1 ligne." in message, message
    assert "(s)" not in message


def test_missing_required_columns_are_counted_in_proper_french_plurals(
    tmp_path: Path, org: Organization
) -> None:
    # Given a sales file without the customer column, and one without customer nor date
    one = write_csv(tmp_path / "ventes.csv", "N° ticket;Date;Montant\nT1;01/03/2024;10\n")
    two = write_csv(tmp_path / "ventes2.csv", "N° ticket;Montant\nT1;10\n")

    # When a French user imports each
    said = [
        failing_import("transactions", str(p), "--org", org.slug, "--language", "fr")[0] for p in (one, two)
    ]

    # Then each says how many columns are missing as French does, without "(s)"
    assert said[0].startswith("Une colonne obligatoire manque"), said[0]
    assert said[1].startswith("2 colonnes obligatoires manquent"), said[1]
    assert "(s)" not in said[0] + said[1]


def test_a_problem_of_a_whole_line_names_the_line_without_an_empty_column() -> None:
    # Given a line with more fields than the header, a problem of the line rather than of a cell
    problem = RowProblem(2, "", "", "wrong_field_count", {"found": 5, "expected": 3})

    # When it is said in French
    with translation.override("fr"):
        said = problem.describe()

    # Then it names the line and the reason, without an empty column and value
    assert said == "ligne 2\u00a0: la ligne compte 5 champs alors que l’en-tête en compte 3", said


def test_the_sheets_of_a_workbook_are_quoted_the_french_way(tmp_path: Path, org: Organization) -> None:
    # Given a workbook of one sheet
    path = tmp_path / "clients.xlsx"
    write_xlsx(path, [["N° client", "Nom"], ["C1", "Martin"]], sheet="Export")

    # When a French user imports it
    out, _err = run_import("customers", str(path), "--org", org.slug, "--language", "fr", "--dry-run")

    # Then the sheets are quoted with French quotation marks, as the sheet read
    assert (
        "Feuille lue\u00a0: «\u00a0Export\u00a0» (le classeur a 1 feuille\u00a0: «\u00a0Export\u00a0»)."
        in out
    ), out


def test_how_a_file_was_read_is_said_by_notes_like_the_import_s_others_in_french_plurals() -> None:
    # Given how a workbook was read: its encoding found, one sheet of three, a header on line 3, two totals
    reading = {
        "encoding": "cp1252",
        "sheet": "Ventes",
        "sheets": ["Ventes", "Stocks", "Notes"],
        "header_line": 3,
        "totals_lines": [40, 41],
    }
    # When it is said in French (the notes are made in the reader's language, as the pages and the
    # command make them when they show them)
    with translation.override("fr"):
        notes = reading_notes(reading)
        said = [note.describe() for note in notes]
    # Then each is a note whose sentence is in the one table of the import's notes
    assert all(note.code in NOTES for note in notes)
    nbsp = "\N{NO-BREAK SPACE}"
    assert said == [
        f"Encodage trouvé{nbsp}: Windows-1252 (Windows, Excel).",
        (
            f"Feuille lue{nbsp}: «{nbsp}Ventes{nbsp}» (le classeur a 3 feuilles{nbsp}: «{nbsp}Ventes{nbsp}», "
            f"«{nbsp}Stocks{nbsp}», «{nbsp}Notes{nbsp}»)."
        ),
        "Noms des colonnes lus à la ligne 3.",
        "Les lignes 40, 41 sont des lignes de totaux\N{NO-BREAK SPACE}: ignorées.",
    ]
