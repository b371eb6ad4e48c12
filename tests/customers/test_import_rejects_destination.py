"""A rejects file that cannot be written where asked is refused before anything is imported."""

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError

from ecoute.accounts.models import Organization
from ecoute.customers.importing import pipeline
from ecoute.customers.models import Customer, ImportJob, ImportStatus
from tests.customers.importing import run_import, write_csv

FILE = "Code client;E-mail\nR1;r1@exemple.fr\nR2;pas-une-adresse\nR3;r3@exemple.fr\n"


def _import_with_rejects(org: Organization, source: Path, rejects: Path) -> str:
    with pytest.raises(CommandError) as refusal:
        run_import(
            "customers",
            str(source),
            "--org",
            org.slug,
            "--skip-invalid",
            "--rejects",
            str(rejects),
            "--language",
            "en",
        )
    return str(refusal.value)


def test_rejects_written_over_the_file_being_imported_are_refused_and_the_file_kept(
    org: Organization, tmp_path: Path
) -> None:
    # Given a CRM export, and a rejects file named as the export itself (through another spelling)
    source = write_csv(tmp_path / "clients.csv", FILE)
    (tmp_path / "sub").mkdir()
    before = source.read_bytes()

    # When it is imported
    message = _import_with_rejects(org, source, tmp_path / "sub" / ".." / "clients.csv")

    # Then the command refuses before importing, and the export is intact
    assert message == f"--rejects names the file being imported: {source}. Choose another file."
    assert source.read_bytes() == before
    assert not Customer.objects.exists()


@pytest.mark.parametrize("where", ["folder", "missing folder"])
def test_rejects_that_cannot_be_written_are_refused_before_importing(
    org: Organization, tmp_path: Path, where: str
) -> None:
    # Given a rejects destination that is a folder, or in a folder that does not exist
    source = write_csv(tmp_path / "clients.csv", FILE)
    rejects = tmp_path if where == "folder" else tmp_path / "nowhere" / "rejets.csv"

    # When the export is imported
    message = _import_with_rejects(org, source, rejects)

    # Then the command says where it cannot write, and nothing is imported
    assert message == f"The rejects file cannot be written at {rejects}: choose a file in an existing folder."
    assert not Customer.objects.exists()


def test_a_rejects_file_that_fails_while_written_leaves_an_honest_report_of_the_rows_imported(
    org: Organization, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a CRM export with one bad row, and a rejects folder removed while the valid rows are written
    source = write_csv(tmp_path / "clients.csv", FILE)
    folder = tmp_path / "rejets"
    folder.mkdir()
    write_rows = pipeline._write_rows

    def write_then_lose_the_folder(*args: Any, **kwargs: Any) -> None:
        write_rows(*args, **kwargs)
        shutil.rmtree(folder)

    monkeypatch.setattr(pipeline, "_write_rows", write_then_lose_the_folder)

    # When the export is imported keeping the valid rows
    message = _import_with_rejects(org, source, folder / "rejets.csv")

    # Then the command says the valid rows were imported and the rejected ones could not be written there
    assert "2 rows were imported" in message, message
    assert f"the rejected rows could not be written to {folder / 'rejets.csv'}" in message, message
    assert set(Customer.objects.values_list("external_id", flat=True)) == {"R1", "R3"}
    # and the import is recorded as done with its counts, not as an unexpected failure
    job = ImportJob.objects.get()
    assert (job.status, job.rows_written, job.rows_rejected, job.rejects_path) == (
        ImportStatus.SUCCEEDED,
        2,
        1,
        "",
    )
    assert "n’ont pas pu être écrites" in job.message  # in the organization's language, for its pages
    assert job.errors[0]["line"] == 3
