"""A worker killed while it writes a large export leaves no file to download; the next worker writes the
export again, once, to one complete file."""

import io
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from python_calamine import CalamineWorkbook

from ecoute.accounts.models import Membership
from ecoute.customers.models import Customer, ExportJob
from ecoute.customers.tasks import run_export_task
from tests.conftest import subprocess_env
from tests.processes import ecoute, started, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

CUSTOMERS = 60_000
WORKER = ecoute(
    "db_worker", "--queue-name", "default", "--interval", "0.2", "--no-startup-delay", "--no-reload"
)


def _worker_env(files: Path) -> dict[str, str]:
    """Workers with a short lease, writing into the test's private folder."""
    return subprocess_env(TASKS_IMMEDIATE="0", EXPORT_LEASE_SECONDS="4", EXPORT_FILES_DIR=str(files))


def _many_customers(membership: Membership) -> None:
    Customer.objects.bulk_create(
        (
            Customer(
                organization=membership.organization,
                external_id=f"C{number:06d}",
                first_name="Zoé",
                last_name=f"Lefèvre{number % 997}",
                email=f"client{number}@exemple.fr",
                region="Bretagne",
            )
            for number in range(CUSTOMERS)
        ),
        batch_size=5000,
    )


def test_a_worker_killed_mid_export_leaves_no_file_and_the_next_one_writes_it_once_complete(
    owner: Membership, owner_client: Client, settings: Any, tmp_path: Path
) -> None:
    # Given a list of 60,000 customers exported as Excel, past the threshold of 10 rows
    files = tmp_path / "exports"
    settings.EXPORT_STREAM_MAX_ROWS = 10
    settings.EXPORT_FILES_DIR = files
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    _many_customers(owner)
    owner_client.get(reverse("customers:customer_export_xlsx"))
    job = ExportJob.objects.get()
    download = reverse("customers:export_download", args=[job.pk])

    # When the worker writing it is killed once it has written rows
    with started(WORKER, _worker_env(files), tmp_path / "worker-1.log") as worker:
        wait_until(
            lambda: ExportJob.objects.get(pk=job.pk).rows_written > 0 or worker.poll() is not None,
            timeout=120,
            message="the worker writes rows",
        )
        os.kill(worker.pid, signal.SIGKILL)
        assert worker.wait() == -signal.SIGKILL

    # Then there is only a half file, not offered: the download answers 404 and the page says so
    job.refresh_from_db()
    assert (job.status, job.stored_name, job.attempts) == ("running", "", 1)
    assert 0 < job.rows_written < CUSTOMERS
    assert [path.suffix for path in files.rglob("*") if path.is_file()] == [".part"]
    assert owner_client.get(download).status_code == 404
    assert (
        "interrompu, reprise en cours" in owner_client.get(reverse("customers:export_list")).content.decode()
    )

    # When the same export's task is queued twice more, and the next worker starts
    run_export_task.enqueue(job.pk)
    run_export_task.enqueue(job.pk)
    with started(WORKER, _worker_env(files), tmp_path / "worker-2.log"):
        wait_until(
            lambda: (
                # (the workers' own housekeeping tasks come and go: only the export's count)
                not DBTaskResult.objects.filter(
                    task_path=run_export_task.module_path, status="READY"
                ).exists()
                and ExportJob.objects.get(pk=job.pk).status == "ready"
            ),
            timeout=180,
            message="the export is ready",
        )

    # Then it was written once more, to one complete file of every customer, and nothing half-written is left
    job.refresh_from_db()
    assert (job.status, job.rows_written, job.attempts) == ("ready", CUSTOMERS, 2)
    assert [path.name for path in files.rglob("*") if path.is_file()] == [f"{job.pk}-2.xlsx"]
    response = owner_client.get(download)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0).to_python()
    assert len(sheet) == CUSTOMERS + 1
    assert {row[2] for row in sheet[1:]} == {f"C{number:06d}" for number in range(CUSTOMERS)}
    # And the task table says what happened: the dead worker's task failed; the two queued again (and
    # any the workers' housekeeping queued on finding the export interrupted) ended without error, one of
    # them writing the file (attempts 2, above), the others finding it done
    tasks = DBTaskResult.objects.filter(task_path=run_export_task.module_path).order_by("enqueued_at")
    statuses = [task.status for task in tasks]
    # (the dead worker's own task is marked failed when a later worker's housekeeping finds it, which may
    # come after the export is ready)
    assert statuses[0] in {"FAILED", "RUNNING"}
    if statuses[0] == "FAILED":
        assert tasks[0].exception_class_path == "ecoute.customers.tasks.WorkerStoppedError"
    assert len(statuses) >= 3
    assert set(statuses[1:]) == {"SUCCESSFUL"}
