"""Background work on customer data: tasks take ids and call actions."""

from django.tasks import task

from ecoute.customers.actions import run_import_job
from ecoute.customers.importing.problems import ImportFileError
from ecoute.customers.models import ImportJob, ImportStatus


@task()
def run_import_task(job_id: int) -> None:
    job = ImportJob.objects.select_related("organization").filter(pk=job_id).first()
    if job is None or job.status not in {ImportStatus.PENDING, ImportStatus.VALIDATING, ImportStatus.WRITING}:
        return  # already done: a task run twice does nothing the second time
    try:
        run_import_job(job)
    except ImportFileError:
        return  # recorded on the job
