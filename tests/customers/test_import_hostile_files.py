"""Files that would kill or exhaust a process are refused with a message, on the web and the command line."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import Organization
from ecoute.customers.models import ImportJob
from tests.conftest import subprocess_env
from tests.customers.importing import failing_import
from tests.lib import hostile_files


@pytest.mark.django_db(transaction=True)
def test_the_import_command_refuses_a_workbook_spanning_a_whole_sheet_instead_of_aborting(
    tmp_path: Path, org: Organization
) -> None:
    # Given the 1.6 KB workbook that made calamine ask for 512 GiB (the command died with 134)
    path = hostile_files.corner_xlsx(tmp_path / "clients.xlsx")

    # When it is imported from a terminal
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

    # Then the command ends normally with a message naming the limit
    assert result.returncode == 1, result.stderr[-500:]
    assert "The file has 16,384 columns: at most 500 can be imported." in result.stderr
    assert "Traceback" not in result.stderr


def test_uploading_a_workbook_spanning_a_whole_sheet_fails_the_import_with_a_message_in_french(
    owner_client: Client,
) -> None:
    # Given the same workbook, uploaded by a French-speaking manager
    upload = SimpleUploadedFile("clients.xlsx", hostile_files.corner_xlsx_bytes())

    # When the upload reads its headers for the mapping page
    response = owner_client.post(
        reverse("customers:import_new"), {"kind": "customers", "file": upload}, HTTP_ACCEPT_LANGUAGE="fr"
    )

    # Then the web worker answers, and the import is failed with the reason in French
    assert response.status_code == 302
    job = ImportJob.objects.latest("id")
    assert job.status == "failed"
    assert job.message.startswith("Le fichier a 16\xa0384 colonnes\u00a0: on peut en importer 500 au plus.")
    page = owner_client.get(reverse("customers:import_detail", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    assert "16\xa0384 colonnes" in page.content.decode()


@pytest.mark.parametrize(
    ("make", "english"),
    [
        (hostile_files.tall_xlsx, "spans 99,999,999 rows and 1 columns"),
        (
            hostile_files.shared_strings_xlsx,
            "declares 4,000,000,000 different texts, more than the 12,000,000",
        ),
        (hostile_files.repeated_rows_ods, "spans 2,000,001 rows and 1 columns"),
    ],
    ids=["row-number", "shared-strings", "repeated-rows"],
)
def test_declared_size_tricks_are_refused_by_the_command_with_the_limit(
    tmp_path: Path, org: Organization, make: object, english: str
) -> None:
    suffix = "ods" if "ods" in make.__name__ else "xlsx"  # type: ignore[attr-defined]
    path = make(tmp_path / f"ventes.{suffix}")  # type: ignore[operator]
    message, _problems = failing_import("transactions", str(path), "--org", org.slug, "--language", "en")
    assert english in message
