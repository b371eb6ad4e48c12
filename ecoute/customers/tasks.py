"""Background work on customer data: tasks take ids and call actions."""

import logging

from django.db import transaction
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ecoute.customers.actions import resume_import_job, run_import_job
from ecoute.customers.import_lease import LeaseLost, claim_import_run, lease_duration
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
        run_import_job(lease)
    except ImportFileError:
        return  # recorded on the job
    except LeaseLost:
        return  # taken over by another process after this one's lease ran out: it finishes the job


def resume_interrupted_imports() -> int:
    """Run again, in a new task, the imports whose worker died; returns how many.

    Every worker calls this from time to time. The task a dead worker was running stays "running" in
    the task table for ever: it is closed as failed, and the job it ran is put back in the queue (a
    job claimed by no live process is resumed; an uploaded file that keeps killing its worker is left
    interrupted after AUTOMATIC_ATTEMPTS runs)."""
    pending = _close_tasks_of_dead_workers()
    resumed = 0
    interrupted = ImportJob.objects.interrupted().filter(attempts__lt=AUTOMATIC_ATTEMPTS)
    for job in interrupted.order_by("pk"):
        if job.file_is_kept and resume_import_job(job):
            logger.warning("Import %s was interrupted (its process stopped): resuming it", job.pk)
            pending.add(job.pk)
    for job_id in sorted(pending):
        transaction.on_commit(lambda job_id=job_id: run_import_task.enqueue(job_id))
        resumed += 1
    return resumed


def _close_tasks_of_dead_workers() -> set[int]:
    """Close the import tasks still marked running whose job no live process holds; returns the ids of
    the jobs they left waiting, which need a new task."""
    started_before = timezone.now() - lease_duration()
    stranded = DBTaskResult.objects.running().filter(
        task_path=run_import_task.module_path, started_at__lte=started_before
    )
    waiting = set()
    for result in stranded:
        args = result.args_kwargs.get("args") or [None]
        job = ImportJob.objects.filter(pk=args[0]).first()
        if job is not None and job.status in RUNNING_STATUSES and not job.is_interrupted:
            continue  # its worker is alive: the job's lease is being renewed
        closed = DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=timezone.now(),
            exception_class_path=f"{WorkerStoppedError.__module__}.{WorkerStoppedError.__qualname__}",
            traceback="The worker running this task stopped before it finished.",
        )
        if closed and job is not None and job.status == ImportStatus.PENDING:
            waiting.add(job.pk)
    return waiting

