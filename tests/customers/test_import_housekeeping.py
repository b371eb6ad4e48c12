"""What every worker does from time to time: queue again the uploads whose process died, or that were
left waiting without a task, and close the tasks that dead workers left marked as running."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer, ImportJob
from ecoute.customers.tasks import resume_interrupted_imports, run_import_task
from tests.customers.importing import interrupted_import

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _housekeeping(capture: Any) -> int:
    with capture(execute=True):
        return resume_interrupted_imports()


def test_interrupted_uploads_are_resumed_three_times_at_most_and_a_users_own_file_never(
    org: Organization, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    # Given uploads interrupted after one run and after three, and an import of a user's own file
    once = interrupted_import(org, attempts=1)
    thrice = interrupted_import(org, attempts=3)
    own = interrupted_import(org, users_folder=tmp_path)
    # When a worker looks after them (the import runs here: the task backend of tests runs at once)
    assert _housekeeping(django_capture_on_commit_callbacks) == 1
    # Then only the first was run again, to its end
    statuses = {job.pk: (job.status, job.is_interrupted) for job in ImportJob.objects.all()}
    assert statuses[once.pk] == ("succeeded", False)
    assert statuses[thrice.pk] == ("writing", True)
    assert statuses[own.pk] == ("writing", True)
    assert Customer.objects.filter(organization=org).count() == 3


def test_an_upload_left_waiting_without_a_task_is_queued_once(
    org: Organization, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Given an upload waiting for a worker, whose task was never queued (its request died then)
    settings.TASKS = DATABASE_TASKS
    job = interrupted_import(org)
    ImportJob.objects.filter(pk=job.pk).update(status="pending", runner="", lease_expires_at=None)
    # When workers look after imports, twice
    assert _housekeeping(django_capture_on_commit_callbacks) == 1
    assert _housekeeping(django_capture_on_commit_callbacks) == 0
    # Then one task is queued for it
    [task] = DBTaskResult.objects.all()
    assert (task.status, task.args_kwargs["args"]) == ("READY", [job.pk])


def test_a_task_left_running_by_a_worker_that_died_before_taking_its_job_is_closed_and_queued_again(
    org: Organization, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Given a task a worker took two minutes ago, whose upload is still waiting: the worker died
    settings.TASKS = DATABASE_TASKS
    job = interrupted_import(org)
    ImportJob.objects.filter(pk=job.pk).update(status="pending", runner="", lease_expires_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        stranded = run_import_task.enqueue(job.pk)
    DBTaskResult.objects.filter(pk=stranded.id).update(
        status="RUNNING", started_at=timezone.now() - timedelta(minutes=2), worker_ids=["dead"]
    )
    # When a worker looks after imports
    assert _housekeeping(django_capture_on_commit_callbacks) == 1
    # Then the dead worker's task is closed as failed, and a new one is queued
    old = DBTaskResult.objects.get(pk=stranded.id)
    assert (old.status, old.exception_class_path) == ("FAILED", "ecoute.customers.tasks.WorkerStoppedError")
    assert DBTaskResult.objects.exclude(pk=stranded.id).get().status == "READY"


def test_a_task_whose_import_is_running_is_left_alone(
    org: Organization, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = DATABASE_TASKS
    job = interrupted_import(org)
    ImportJob.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() + timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        task = run_import_task.enqueue(job.pk)
    DBTaskResult.objects.filter(pk=task.id).update(
        status="RUNNING", started_at=timezone.now() - timedelta(hours=1)
    )
    assert _housekeeping(django_capture_on_commit_callbacks) == 0
    assert DBTaskResult.objects.get(pk=task.id).status == "RUNNING"
