"""Background work on customer data (imports, large exports): tasks take ids and call actions."""

import logging
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.tasks import TaskResultStatus, task
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from ecoute.customers.actions import resume_import_job, run_import_job
from ecoute.customers.export_job import ACTIVE_STATUSES, ExportFailure, ExportJob, ExportStatus
from ecoute.customers.export_purge import purge_expired_exports
from ecoute.customers.export_runs import ExportLeaseLostError, claim_export, fail_export, write_export
from ecoute.customers.import_lease import LeaseLostError, claim_import_run, lease_duration
from ecoute.customers.importing.problems import ImportFileError
from ecoute.customers.models import RUNNING_STATUSES, ImportJob, ImportStatus

logger = logging.getLogger(__name__)

# A job whose process keeps dying (a file that exhausts the memory, say) is run again automatically this
# many times in all; after that it waits, shown as interrupted, for someone to resume it from its page.
AUTOMATIC_ATTEMPTS = 3


class WorkerStoppedError(Exception):
    """Recorded on a task whose worker stopped (was killed, crashed) before the task finished."""


@task()
def run_import_task(job_id: int) -> None:
    lease = claim_import_run(job_id)
    if lease is None:
        return  # another process runs it, or it is done: a task run twice does nothing the second time
    try:
        # The rejects file (its reasons and their column's name) is written in the organization's language.
        with translation.override(lease.job.organization.language):
            run_import_job(lease)
    except ImportFileError:
        return  # recorded on the job
    except LeaseLostError:
        return  # taken over by another process after this one's lease ran out: it finishes the job


def resume_interrupted_imports() -> int:
    """Queue again the uploaded imports whose process died, and those left waiting without a task (the
    request that queued them, or the worker that took their task, died at that moment); returns how
    many. Every worker calls this from time to time (settings.WORKER_HOUSEKEEPING).

    An upload whose process keeps dying (a file that exhausts the memory, say) is resumed this way
    AUTOMATIC_ATTEMPTS times in all; after that it waits, shown as interrupted, for a person to resume
    it from its page."""
    _close_stale_tasks()
    running = ImportJob.objects.filter(status__in=RUNNING_STATUSES, attempts__lt=AUTOMATIC_ATTEMPTS)
    for job in running.order_by("pk"):
        if job.is_interrupted and job.file_is_kept and resume_import_job(job):
            logger.warning("Import %s was interrupted (its process stopped): resuming it", job.pk)
    queued = {_job_id(result) for result in _import_tasks().filter(status__in=QUEUED)}
    waiting = [
        job.pk
        for job in ImportJob.objects.filter(status=ImportStatus.PENDING).order_by("pk")
        if job.pk not in queued and job.file_is_kept
    ]
    for job_id in waiting:
        transaction.on_commit(partial(enqueue_resumed_import, job_id))
    return len(waiting)


def enqueue_resumed_import(job_id: int) -> None:
    """Queue a resumed import in a new task; the task its dead process left running is closed."""
    for result in _import_tasks().filter(status=TaskResultStatus.RUNNING, args_kwargs__args=[job_id]):
        _close(result)
    run_import_task.enqueue(job_id)


QUEUED = (TaskResultStatus.READY, TaskResultStatus.RUNNING)


def _import_tasks() -> QuerySet[DBTaskResult[Any, Any]]:
    return DBTaskResult.objects.filter(task_path=run_import_task.module_path)


def _job_id(result: DBTaskResult[Any, Any]) -> int | None:
    args = result.args_kwargs.get("args") or [None]
    return args[0] if isinstance(args[0], int) else None


def _close_stale_tasks() -> None:
    """Close the import tasks marked running for longer than a lease whose job no live process holds:
    their worker died (perhaps before it took the job), and nothing else would ever close them."""
    started_before = timezone.now() - lease_duration()
    for result in _import_tasks().filter(status=TaskResultStatus.RUNNING, started_at__lte=started_before):
        job_id = _job_id(result)
        job = ImportJob.objects.filter(pk=job_id).first() if job_id is not None else None
        if job is None or job.status not in RUNNING_STATUSES or job.is_interrupted:
            _close(result)


def _close(result: DBTaskResult[Any, Any]) -> bool:
    return bool(
        DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=timezone.now(),
            exception_class_path=f"{WorkerStoppedError.__module__}.{WorkerStoppedError.__qualname__}",
            traceback="The worker running this task stopped before it finished.\n",
        )
    )


@task()
def run_export_task(export_id: int) -> None:
    """Prepare the file of a large export; a task run twice (or for an export another process has) does
    nothing the second time."""
    job = claim_export(export_id)
    if job is None:
        return
    try:
        write_export(job)
    except ExportLeaseLostError:
        return  # taken over by another process after this one's lease ran out: it finishes the export
    except Exception:
        logger.exception("Export %s failed", export_id)
        fail_export(job, ExportFailure.ERROR)


@task()
def purge_expired_exports_task() -> int:
    """Delete the files of exports past their date; how many expired."""
    return purge_expired_exports()


def resume_interrupted_exports() -> int:
    """Queue again the exports whose process died (at most AUTOMATIC_ATTEMPTS runs in all, then they
    fail), and those left waiting without a task; how many were queued. Every worker calls this from time
    to time (settings.WORKER_HOUSEKEEPING)."""
    queued = {_job_id(result) for result in _export_tasks().filter(status=TaskResultStatus.READY)}
    resumed = []
    for job in ExportJob.objects.filter(status__in=ACTIVE_STATUSES).order_by("pk"):
        if job.status == ExportStatus.RUNNING and not job.is_interrupted:
            continue
        for result in _export_tasks().filter(status=TaskResultStatus.RUNNING, args_kwargs__args=[job.pk]):
            if job.status == ExportStatus.RUNNING:
                _close(result)
        if job.status == ExportStatus.RUNNING and job.attempts >= AUTOMATIC_ATTEMPTS:
            logger.warning("Export %s was interrupted %s times: it failed", job.pk, job.attempts)
            fail_export(job, ExportFailure.INTERRUPTED)
        elif job.pk not in queued:
            if job.status == ExportStatus.RUNNING:
                logger.warning("Export %s was interrupted (its process stopped): resuming it", job.pk)
            resumed.append(job.pk)
    for export_id in resumed:
        transaction.on_commit(partial(run_export_task.enqueue, export_id))
    return len(resumed)


def purge_exports_when_due() -> bool:
    """Start a purge when an export's file is past its date and none is waiting (housekeeping)."""
    waiting = DBTaskResult.objects.filter(
        task_path=purge_expired_exports_task.module_path, status=TaskResultStatus.READY
    )
    due = ExportJob.objects.filter(status=ExportStatus.READY, expires_at__lte=timezone.now())
    if waiting.exists() or not due.exists():
        return False
    purge_expired_exports_task.enqueue()
    return True


def _export_tasks() -> QuerySet[DBTaskResult[Any, Any]]:
    return DBTaskResult.objects.filter(task_path=run_export_task.module_path)
