"""An import whose process is killed is shown as interrupted, and the same command run again resumes it,
ending with exactly the rows of the file."""

import os
import signal
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import Organization
from ecoute.customers.models import ImportJob, Transaction
from tests.conftest import subprocess_env
from tests.customers.importing import (
    run_import,
    sales_in_database,
    sales_in_file,
    write_customers,
    write_sales,
)
from tests.processes import ecoute, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def _import_command(org: Organization, path: Path) -> list[str]:
    return ecoute("import", "transactions", str(path), "--org", org.slug, "--language", "en")


def _page(client: Client, job: ImportJob) -> str:
    url = reverse("customers:import_detail", args=[job.pk])
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en", HTTP_HX_REQUEST="true").content.decode()


def _kill(process: subprocess.Popen[bytes]) -> None:
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL


def test_an_import_killed_while_writing_is_shown_interrupted_and_the_same_command_resumes_it(
    tmp_path: Path, org: Organization, owner_client: Client
) -> None:
    # Given customers, and 120,000 sales imported by the command in its own process
    run_import("customers", str(write_customers(tmp_path / "clients.csv", 100)), "--org", org.slug)
    path = write_sales(tmp_path / "ventes.csv", 120_000)
    process = subprocess.Popen(_import_command(org, path), env=subprocess_env(), stdout=subprocess.DEVNULL)
    # When it is killed once a batch of rows is written
    wait_until(lambda: Transaction.objects.filter(organization=org).exists() or process.poll() is not None)
    _kill(process)
    job = ImportJob.objects.get(organization=org, kind="transactions")
    assert 0 < Transaction.objects.filter(organization=org).count() < 120_000
    # Then its page says at once that it was interrupted, and stops following it
    page = _page(owner_client, job)
    assert "This import was interrupted" in page
    assert "Run the same command again to resume it" in page
    assert "hx-trigger" not in page
    # And when the same command is run again
    result = subprocess.run(
        _import_command(org, path), env=subprocess_env(), capture_output=True, text=True, check=False
    )
    # Then it says it resumes that import, and the database holds exactly the file's sales
    assert result.returncode == 0, result.stderr
    assert f"Resuming import #{job.pk} of ventes.csv" in result.stdout
    assert sales_in_database(org) == sales_in_file(path)
    job.refresh_from_db()
    assert (job.status, job.rows_written) == ("succeeded", 120_000)
    assert ImportJob.objects.filter(organization=org, kind="transactions").count() == 1


def test_an_import_killed_while_checking_rows_is_shown_interrupted_and_resumed(
    tmp_path: Path, org: Organization, owner_client: Client
) -> None:
    run_import("customers", str(write_customers(tmp_path / "clients.csv", 100)), "--org", org.slug)
    path = write_sales(tmp_path / "ventes.csv", 200_000)
    process = subprocess.Popen(_import_command(org, path), env=subprocess_env(), stdout=subprocess.DEVNULL)
    # When it is killed while it checks the rows, before writing any
    wait_until(lambda: ImportJob.objects.filter(organization=org, kind="transactions").exists())
    _kill(process)
    job = ImportJob.objects.get(organization=org, kind="transactions")
    assert job.status == "validating"
    assert not Transaction.objects.filter(organization=org).exists()
    # Then it is shown interrupted instead of "checking" for ever
    assert "This import was interrupted" in _page(owner_client, job)
    # And the command run again resumes it to the end
    result = subprocess.run(
        _import_command(org, path), env=subprocess_env(), capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert f"Resuming import #{job.pk}" in result.stdout
    assert sales_in_database(org) == sales_in_file(path)


def test_the_command_run_again_while_the_import_still_runs_refuses_and_says_when_to_resume(
    tmp_path: Path, org: Organization
) -> None:
    # Given the import of a file running in another process (that one is stopped, not dead: it still
    # holds its lease)
    run_import("customers", str(write_customers(tmp_path / "clients.csv", 100)), "--org", org.slug)
    path = write_sales(tmp_path / "ventes.csv", 120_000)
    process = subprocess.Popen(_import_command(org, path), env=subprocess_env(), stdout=subprocess.DEVNULL)
    try:
        wait_until(
            lambda: Transaction.objects.filter(organization=org).exists() or process.poll() is not None
        )
        os.kill(process.pid, signal.SIGSTOP)
        # When the same command is run again
        result = subprocess.run(
            _import_command(org, path), env=subprocess_env(), capture_output=True, text=True, check=False
        )
        # Then it refuses to run the import a second time at once
        assert result.returncode == 1
        assert "ventes.csv is being imported by another process" in result.stderr
        assert "run this command again in" in result.stderr
        assert ImportJob.objects.filter(organization=org, kind="transactions").count() == 1
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
