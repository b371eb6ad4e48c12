"""Which process runs an import: atomic claims, a lease renewed as it goes, a takeover only once the
lease has run out or the process has ended, and a runner that lost its import stops without writing."""

import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from ecoute.accounts.models import Organization
from ecoute.customers.actions import create_import_job, run_import_job, start_import_job
from ecoute.customers.import_lease import ImportLease, LeaseLostError, claim_import_run
from ecoute.customers.importing import pipeline
from ecoute.customers.models import Customer, ImportJob
from ecoute.lib.process_identity import this_process
from tests.customers.importing import write_customers


def _waiting_job(org: Organization, tmp_path: Path, count: int = 3) -> ImportJob:
    path = write_customers(tmp_path / "clients.csv", count)
    job = create_import_job(org, "customers", path, original_name="clients.csv")
    ImportJob.objects.filter(pk=job.pk).update(status="pending")
    return job


def test_of_two_processes_claiming_a_waiting_import_only_one_gets_it(
    org: Organization, tmp_path: Path
) -> None:
    job = _waiting_job(org, tmp_path)
    first, second = claim_import_run(job.pk), claim_import_run(job.pk)
    assert first is not None
    assert second is None
    job.refresh_from_db()
    assert (job.status, job.runner, job.attempts) == ("validating", first.runner, 1)


def test_a_running_import_is_taken_over_only_once_its_lease_has_run_out(
    org: Organization, tmp_path: Path, settings: Any
) -> None:
    settings.IMPORT_LEASE_SECONDS = 60
    first = claim_import_run(_waiting_job(org, tmp_path).pk)
    assert first is not None
    first.renew(rows_done=10)
    # A minute less a second later, the import is still held
    with time_machine.travel(timezone.now() + timedelta(seconds=59)):
        assert not ImportJob.objects.get(pk=first.job.pk).is_interrupted
        assert claim_import_run(first.job.pk) is None
    # Past the lease, another process takes it over, and the first can no longer record anything
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert ImportJob.objects.get(pk=first.job.pk).is_interrupted
        second = claim_import_run(first.job.pk)
    assert second is not None
    assert second.job.attempts == 2
    with pytest.raises(LeaseLostError):
        first.renew(rows_done=20)
    with pytest.raises(LeaseLostError):
        first.end(status="succeeded")
    assert ImportJob.objects.get(pk=first.job.pk).status == "validating"


def test_an_import_whose_process_has_ended_on_this_machine_is_interrupted_without_waiting_for_its_lease(
    org: Organization, tmp_path: Path
) -> None:
    # Given an import held, under a lease of a minute, by a process of this machine that has ended
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    host, namespace, _pid, token = this_process().split("|")
    lease = claim_import_run(_waiting_job(org, tmp_path).pk)
    assert lease is not None
    dead = f"{host}|{namespace}|{ended.stdout.strip()}|{token}"
    ImportJob.objects.filter(pk=lease.job.pk).update(runner=dead)
    # Then it is interrupted at once, and can be taken over
    assert ImportJob.objects.get(pk=lease.job.pk).is_interrupted
    assert claim_import_run(lease.job.pk) is not None
    # But one held by a process of another machine waits for its lease
    other = claim_import_run(_waiting_job(org, tmp_path / "..").pk)
    assert other is not None
    ImportJob.objects.filter(pk=other.job.pk).update(runner=f"elsewhere|{namespace}|{ended.stdout.strip()}|x")
    assert not ImportJob.objects.get(pk=other.job.pk).is_interrupted
    assert claim_import_run(other.job.pk) is None


def test_a_runner_that_lost_its_import_stops_before_committing_another_batch(
    org: Organization, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an import of 6,000 customers written in several batches
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 1000)
    path = write_customers(tmp_path / "c.csv", 6000)
    lease = start_import_job(org, "customers", path, original_name="c.csv")
    taken_over: list[tuple[ImportLease | None, int]] = []

    def another_process_takes_it_over(phase: str, done: int, total: int) -> None:
        if phase == "writing" and not taken_over:
            ImportJob.objects.filter(pk=lease.job.pk).update(lease_expires_at=timezone.now())
            taken_over.append((claim_import_run(lease.job.pk), done))

    # When another process takes it over once the first batch is written
    with pytest.raises(LeaseLostError):
        run_import_job(lease, progress=another_process_takes_it_over)
    # Then the first process stopped without committing another batch, and left the job to the other
    [(other, written)] = taken_over
    assert other is not None
    assert Customer.objects.filter(organization=org).count() == written < 6000
    job = ImportJob.objects.get(pk=lease.job.pk)
    assert (job.runner, job.status) == (other.runner, "validating")


def test_an_import_stopped_by_ctrl_c_is_interrupted_at_once(org: Organization, tmp_path: Path) -> None:
    lease = start_import_job(org, "customers", write_customers(tmp_path / "c.csv", 3), original_name="c.csv")

    def ctrl_c(phase: str, done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_import_job(lease, progress=ctrl_c)
    assert ImportJob.objects.get(pk=lease.job.pk).is_interrupted
