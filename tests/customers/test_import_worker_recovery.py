"""An uploaded import whose worker is killed is picked up again, by the next worker or from its page,
and ends with exactly the rows of the file."""

import os
import re
import signal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from ecoute.accounts.models import Membership, Organization
from ecoute.customers.models import ImportJob, Transaction
from ecoute.customers.tasks import run_import_task
from tests.conftest import subprocess_env
from tests.customers.importing import (
    run_import,
    sales_in_database,
    sales_in_file,
    write_customers,
    write_sales,
)
from tests.factories import PASSWORD
from tests.processes import ecoute, started, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
WORKER = ecoute(
    "db_worker", "--queue-name", "default", "--interval", "0.2", "--no-startup-delay", "--no-reload"
)


def _worker_env() -> dict[str, str]:
    """Workers with a short lease: the next one's housekeeping comes round within seconds, not half a
    minute."""
    return subprocess_env(TASKS_IMMEDIATE="0", IMPORT_LEASE_SECONDS="4")


def _upload_and_start(client: Client, path: Path) -> ImportJob:
    response = client.post(
        reverse("customers:import_new"),
        {"kind": "transactions", "file": SimpleUploadedFile(path.name, path.read_bytes())},
    )
    assert response.status_code == 302
    job = ImportJob.objects.latest("id")
    mapping = {
        "column_0": "external_id",
        "column_1": "customer",
        "column_2": "occurred_at",
        "column_3": "amount",
    }
    client.post(reverse("customers:import_mapping", args=[job.pk]), {**mapping, "import": "1"})
    return job


def _import_killed_while_writing(
    tmp_path: Path, org: Organization, client: Client, settings: Any
) -> ImportJob:
    """An upload of 120,000 sales whose worker was killed once it had written a batch."""
    run_import("customers", str(write_customers(tmp_path / "clients.csv", 100)), "--org", org.slug)
    settings.TASKS = DATABASE_TASKS
    job = _upload_and_start(client, write_sales(tmp_path / "ventes.csv", 120_000))
    with started(WORKER, _worker_env(), tmp_path / "worker-1.log") as worker:
        wait_until(lambda: Transaction.objects.filter(organization=org).exists() or worker.poll() is not None)
        os.kill(worker.pid, signal.SIGKILL)
        assert worker.wait() == -signal.SIGKILL
    job.refresh_from_db()
    assert job.status == "writing"
    assert 0 < Transaction.objects.filter(organization=org).count() < 120_000
    return job


def _page(client: Client, job: ImportJob) -> str:
    url = reverse("customers:import_detail", args=[job.pk])
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_an_import_whose_worker_is_killed_is_picked_up_again_by_the_next_worker(
    tmp_path: Path, org: Organization, owner_client: Client, settings: Any
) -> None:
    job = _import_killed_while_writing(tmp_path, org, owner_client, settings)
    # Given the task the dead worker left running
    # (the workers' housekeeping also starts retention passes: those are not the import's)
    imports = DBTaskResult.objects.filter(task_path=run_import_task.module_path)
    [task] = imports
    assert task.status == "RUNNING"
    # When another worker starts
    with started(WORKER, _worker_env(), tmp_path / "worker-2.log"):
        wait_until(
            lambda: ImportJob.objects.get(pk=job.pk).is_finished, timeout=120, message="the import ends"
        )
    # Then it has run the import again, to exactly the rows of the file
    job.refresh_from_db()
    assert (job.status, job.rows_written, job.attempts) == ("succeeded", 120_000, 2)
    assert sales_in_database(org) == sales_in_file(Path(job.stored_path))
    # And the task table says what happened: the dead worker's task failed, a new one succeeded
    task.refresh_from_db()
    assert (task.status, task.exception_class_path) == ("FAILED", "ecoute.customers.tasks.WorkerStoppedError")
    assert imports.exclude(pk=task.pk).get().status == "SUCCESSFUL"


def test_an_interrupted_upload_is_resumed_from_its_page(
    tmp_path: Path, org: Organization, owner: Membership, owner_client: Client, settings: Any
) -> None:
    job = _import_killed_while_writing(tmp_path, org, owner_client, settings)
    # Then its page, seen by a member in a browser that checks CSRF tokens, says it was interrupted,
    # stops following it, and offers to resume it
    browser = Client(enforce_csrf_checks=True)
    assert browser.login(email=owner.user.email, password=PASSWORD)
    page = _page(browser, job)
    assert "This import was interrupted" in page
    assert "hx-trigger" not in page
    action = reverse("customers:import_resume", args=[job.pk])
    assert f'action="{action}"' in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    # When the member resumes it (the import runs here, with no worker, once the request commits)
    settings.TASKS = IMMEDIATE_TASKS
    response = browser.post(action, {"csrfmiddlewaretoken": token.group(1)})
    # Then it runs again to exactly the rows of the file
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.rows_written) == ("succeeded", 120_000)
    assert sales_in_database(org) == sales_in_file(Path(job.stored_path))
