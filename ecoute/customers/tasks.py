"""Background work on customer data: tasks take ids and call actions."""

from django.tasks import task

from ecoute.customers.actions import run_import_job, start_claimed_job
from ecoute.customers.importing.problems import ImportFileError
from ecoute.customers.models import ImportJob


@task()
def run_import_task(job_id: int) -> None:
    if not start_claimed_job(job_id):
        return  # another worker has it, or it is done: a task run twice does nothing the second time
    job = ImportJob.objects.select_related("organization").get(pk=job_id)
    try:
        run_import_job(job)
    except ImportFileError:
        return  # recorded on the job
