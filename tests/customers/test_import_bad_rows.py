"""Bad input: nothing is written unless every row is valid; each problem names line, column, value, reason."""

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer, ImportJob, Transaction
from tests.conftest import subprocess_env
from tests.customers.importing import failing_import, run_import, write_csv

CUSTOMERS = "N° client;Nom;E-mail\nC1;Durand;c1@exemple.fr\nC2;Petit;c2@exemple.fr\n"
SALES_WITH_PROBLEMS = (
    "N° commande;N° client;Date de commande;Montant TTC\n"
    "V1;C1;03/04/2024;12,50\n"
    "V2;C2;31/02/2024;10,00\n"
    "V3;C9;05/04/2024;8,00\n"
    "V4;C1;06/04/2024;douze\n"
)


@pytest.fixture
def customers(tmp_path: Path, org: Organization) -> None:
    run_import("customers", str(write_csv(tmp_path / "c.csv", CUSTOMERS)), "--org", org.slug)


def test_one_bad_row_and_nothing_is_written_with_each_problem_listed(
    tmp_path: Path, org: Organization, customers: None
) -> None:
    # Given a sales file with an impossible date, an unknown customer and a word for an amount
    path = write_csv(tmp_path / "ventes.csv", SALES_WITH_PROBLEMS)
    # When it is imported (messages in English)
    message, problems = failing_import("transactions", str(path), "--org", org.slug, "--language", "en")
    # Then nothing is written, and every problem names the line in the file, the column, the value, the reason
    assert Transaction.objects.count() == 0
    assert "Nothing was imported" in message
    assert "line 3, column “Date de commande”, value “31/02/2024”" in problems
    assert "line 4, column “N° client”, value “C9”: no customer has this CRM id" in problems
    assert "line 5, column “Montant TTC”, value “douze”: not a number" in problems


def test_problems_are_told_in_french_to_a_french_organization(
    tmp_path: Path, org: Organization, customers: None
) -> None:
    path = write_csv(tmp_path / "ventes.csv", SALES_WITH_PROBLEMS)
    message, problems = failing_import("transactions", str(path), "--org", org.slug)
    assert "Rien n’a été importé\u00a0:" in message
    assert (
        "ligne 5, colonne «\u00a0Montant TTC\u00a0», valeur «\u00a0douze\u00a0»\u00a0: ce n’est pas un nombre"
        in problems
    )


def test_skip_invalid_imports_the_valid_rows_and_writes_the_others_with_their_reason(
    tmp_path: Path, org: Organization, customers: None
) -> None:
    path = write_csv(tmp_path / "ventes.csv", SALES_WITH_PROBLEMS)
    rejects = tmp_path / "rejets.csv"
    # When the valid rows are imported and the others set aside
    out, _err = run_import(
        "transactions",
        str(path),
        "--org",
        org.slug,
        "--skip-invalid",
        "--rejects",
        str(rejects),
        "--language",
        "en",
    )
    # Then the valid row is in, and the rejects file holds the three others as they were, with a reason
    assert list(Transaction.objects.values_list("external_id", flat=True)) == ["V1"]
    with rejects.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert rows[0] == ["N° commande", "N° client", "Date de commande", "Montant TTC", "reason"]
    assert [row[0] for row in rows[1:]] == ["V2", "V3", "V4"]
    assert rows[2][-1] == "no customer has this CRM id (import the customers first)"
    assert "1 sale imported, 3 rejected, from 4 lines." in out
    job = ImportJob.objects.get(original_name="ventes.csv")
    assert (job.status, job.rows_written, job.rows_rejected) == ("succeeded", 1, 3)


def test_a_dry_run_checks_everything_and_writes_nothing(
    tmp_path: Path, org: Organization, customers: None
) -> None:
    path = write_csv(tmp_path / "ventes.csv", "N° commande;N° client;Date;Montant\nV1;C1;03/04/2024;1,00\n")
    out, _err = run_import("transactions", str(path), "--org", org.slug, "--dry-run", "--language", "en")
    assert "nothing written" in out
    assert Transaction.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "The file is empty"),
        (b"%PDF-1.4 binary", "is not a CSV"),
        (b"Nom;Ville\nDurand;Paris\n", "A required column is missing: CRM id"),
        (b"N\xc2\xb0 client;Nom\n", "no data rows"),
    ],
)
def test_files_that_cannot_be_imported_get_a_clear_message(
    tmp_path: Path, org: Organization, content: bytes, expected: str
) -> None:
    path = tmp_path / "fichier.csv"
    path.write_bytes(content)
    message, _problems = failing_import("customers", str(path), "--org", org.slug, "--language", "en")
    assert expected in message
    assert Customer.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_command_exits_1_with_a_message_and_no_traceback(tmp_path: Path, org: Organization) -> None:
    # Given a file without the required column, run as a user would from a terminal
    path = write_csv(tmp_path / "clients.csv", "Nom;Ville\nDurand;Paris\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ecoute",
            "import",
            "customers",
            str(path),
            "--org",
            org.slug,
            "--language",
            "en",
        ],
        capture_output=True,
        text=True,
        check=False,
        env=subprocess_env(),
    )
    assert result.returncode == 1
    assert "A required column is missing" in result.stderr
    assert "Traceback" not in result.stderr


def test_numbers_that_do_not_fit_their_column_are_refused_not_written(
    tmp_path: Path, org: Organization, customers: None
) -> None:
    # Given an amount of a thousand billion euros and a negative delivery rating
    sales = write_csv(
        tmp_path / "ventes.csv", "N° commande;N° client;Date;Montant\nV1;C1;03/04/2024;999999999999999\n"
    )
    _message, problems = failing_import("transactions", str(sales), "--org", org.slug, "--language", "en")
    assert "out of range" in problems
    acts = write_csv(tmp_path / "avis.csv", "N° client;Type;Date;Note\nC1;avis;03/04/2024;-3\n")
    _message, problems = failing_import("loyalty-acts", str(acts), "--org", org.slug, "--language", "en")
    assert "out of range" in problems
    assert Transaction.objects.count() == 0


def test_a_link_that_is_not_a_web_address_is_refused(
    tmp_path: Path, org: Organization, customers: None
) -> None:
    acts = write_csv(
        tmp_path / "avis.csv", "N° client;Type;Date;Lien\nC1;avis;03/04/2024;javascript:alert(1)\n"
    )
    _message, problems = failing_import("loyalty-acts", str(acts), "--org", org.slug, "--language", "en")
    assert "not a web address" in problems
