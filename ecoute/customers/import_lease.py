"""Which process runs an import, and until when.

A process takes a job with an atomic claim and holds it under a lease that it renews with every step
it reports. A job whose lease has run out, or whose process is known to have ended, was interrupted
(killed, out of memory, the machine restarted); only then may another process take it over. A runner
that finds it no longer holds its job stops at once, before committing anything more: two processes
never run one job together.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from ecoute.customers.import_job import RUNNING_STATUSES, ImportJob, ImportStatus
from ecoute.lib.process_identity import lease_lapsed, this_process


class LeaseLostError(Exception):
    """Another process took the import over after this one's lease ran out: this one stops."""


def lease_duration() -> timedelta:
    return timedelta(seconds=settings.IMPORT_LEASE_SECONDS)


@dataclass
class ImportLease:
    """The right of one process to run one job; every change it records also renews it."""

    job: ImportJob
    runner: str

    def renew(self, **changes: object) -> None:
        """Record `changes` and hold the job one lease longer; LeaseLostError when it was taken over."""
        self._update(lease_expires_at=timezone.now() + lease_duration(), **changes)

    def end(self, **changes: object) -> None:
        """Record the job's outcome and let it go; LeaseLostError (nothing recorded) when taken over."""
        self._update(runner="", lease_expires_at=None, **changes)

    def interrupt(self) -> None:
        """Stopped on purpose: the job is interrupted now, to be resumed at once rather than when its
        lease runs out."""
        self._update(lease_expires_at=timezone.now())

    def _update(self, **changes: object) -> None:
        if not ImportJob.objects.filter(pk=self.job.pk, runner=self.runner).update(**changes):
            raise LeaseLostError(self.job.pk)
        for name, value in changes.items():
            setattr(self.job, name, value)


def held_by_process(runner: str) -> dict[str, object]:
    """The fields of a job that `runner` starts to run now."""
    return {
        "status": ImportStatus.VALIDATING,
        "runner": runner,
        "lease_expires_at": timezone.now() + lease_duration(),
        "rows_done": 0,
        "message": "",
    }


def interrupted(job: ImportJob) -> Q:
    """Still running as seen, its lease run out or its process ended."""
    return lease_lapsed(job.runner, Q(status__in=RUNNING_STATUSES))


def claim_import_run(job_id: int) -> ImportLease | None:
    """Take a waiting job, or one whose process died, for this process; None when another process has it
    or it is finished. Of two processes claiming at once, exactly one gets it."""
    seen = ImportJob.objects.filter(pk=job_id).first()
    if seen is None:
        return None
    runner = this_process()
    claimable = Q(status=ImportStatus.PENDING) | interrupted(seen)
    claimed = ImportJob.objects.filter(claimable, pk=job_id).update(
        attempts=F("attempts") + 1, **held_by_process(runner)
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("organization").get(pk=job_id)
    return ImportLease(job, runner)
