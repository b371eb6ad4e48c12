"""Operations on customer data that touch several models: imports and consent changes."""

import contextlib
import hashlib
import logging
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy, ngettext

from ecoute.accounts.models import Organization, User
from ecoute.customers.import_lease import ImportLease, LeaseLostError, held_by_process, interrupted
from ecoute.customers.importing.pipeline import run_import
from ecoute.customers.importing.problems import ImportFileError
from ecoute.customers.importing.request import ImportOutcome, ImportRequest
from ecoute.customers.models import FINISHED_STATUSES, RUNNING_STATUSES, ImportJob, ImportStatus
from ecoute.lib.process_identity import this_process
from ecoute.lib.tabular import PREVIEW_CHARS, open_table
from ecoute.lib.tabular_errors import TabularError

type Progress = Callable[[str, int, int], None]

# While checking rows, progress (and the lease with it) is recorded about once a second.
CHECK_REPORT_SECONDS = 1.0

logger = logging.getLogger(__name__)


def import_dir(organization: Organization) -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports" / str(organization.pk)
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_upload(organization: Organization, upload: UploadedFile[bytes]) -> Path:
    """Keep the uploaded file under a name nobody can guess or collide with."""
    target = import_dir(organization) / f"{uuid.uuid4().hex}{Path(upload.name or '').suffix.lower()[:8]}"
    with target.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return target


def file_digest(path: Path) -> str:
    """The SHA-256 of the file at `path`, read in pieces."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while piece := handle.read(1024 * 1024):
            digest.update(piece)
    return digest.hexdigest()


def _check_file_unchanged(job: ImportJob) -> None:
    """An uploaded file is imported as it was uploaded and checked, or not at all: ImportFileError when it
    has been deleted or changed since."""
    if not job.file_digest:
        return
    path = Path(job.stored_path)
    if not path.is_file():
        raise ImportFileError("file_gone")
    if file_digest(path) != job.file_digest:
        raise ImportFileError("file_changed")


def create_import_job(
    organization: Organization,
    kind: str,
    path: Path,
    *,
    original_name: str,
    created_by: User | None = None,
    mapping: dict[str, str] | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    reading_options: dict[str, object] | None = None,
) -> ImportJob:
    """A new import of `path`, a draft whose columns are checked on its page before it runs."""
    return ImportJob.objects.create(
        organization=organization,
        kind=kind,
        original_name=original_name[:255],
        stored_path=str(path),
        file_digest=file_digest(path) if path.is_file() else "",
        mapping=mapping or {},
        reading_options=reading_options or {},
        skip_invalid=skip_invalid,
        dry_run=dry_run,
        created_by=created_by,
    )


def start_import_job(
    organization: Organization,
    kind: str,
    path: Path,
    *,
    original_name: str,
    created_by: User | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    reading_options: dict[str, object] | None = None,
) -> ImportLease:
    """A new import of `path`, held by this process from its creation to run it at once (the command
    line, the demo): killed at any point, it is interrupted, never left waiting."""
    runner = this_process()
    job = ImportJob.objects.create(
        organization=organization,
        kind=kind,
        original_name=original_name[:255],
        stored_path=str(path),
        reading_options=reading_options or {},
        skip_invalid=skip_invalid,
        dry_run=dry_run,
        created_by=created_by,
        attempts=1,
        **held_by_process(runner),
    )
    return ImportLease(job, runner)


UNEXPECTED_FAILURE = gettext_lazy(
    "The import stopped on an unexpected error. Run it again: the rows already written are updated, "
    "never duplicated."
)


def claim_import_job(job: ImportJob, from_status: ImportStatus, **changes: object) -> bool:
    """Move `job` from `from_status` to waiting, with `changes`; False when another request did it first."""
    claimed = ImportJob.objects.filter(pk=job.pk, status=from_status).update(
        status=ImportStatus.PENDING, **changes
    )
    if claimed:
        for name, value in changes.items():
            setattr(job, name, value)
        job.status = ImportStatus.PENDING
    return bool(claimed)


def valid_rows_can_be_imported(job: ImportJob) -> bool:
    """A dry run, or an import refused whole, that found bad rows beside good ones, of a file Écoute
    keeps: its valid rows can be imported from the same upload."""
    return (
        (job.dry_run or job.rows_written == 0)
        and job.status == ImportStatus.FAILED
        and 0 < job.rows_rejected < job.rows_total
        and not job.message
        and job.file_is_kept
    )


def resume_import_job(job: ImportJob) -> bool:
    """Put an interrupted job back in the queue; False when it is not interrupted (any more)."""
    resumed = ImportJob.objects.filter(interrupted(job), pk=job.pk).update(
        status=ImportStatus.PENDING, runner="", lease_expires_at=None
    )
    if resumed:
        job.status, job.runner, job.lease_expires_at = ImportStatus.PENDING, "", None
    return bool(resumed)


ABANDONED = gettext_lazy("Interrupted and never resumed: its file was deleted with the old import files.")


def purge_import_files(older_than_days: int) -> int:
    """Delete the files Écoute keeps for imports that ended more than `older_than_days` ago: the uploads
    and the rejects files under the import folder, never a file given on the command line. An import
    interrupted that long ago and never resumed ends failed; a file that no import refers to (an upload
    cut off before its import was recorded) goes too."""
    root = (Path(settings.MEDIA_ROOT) / "imports").resolve()
    cutoff = timezone.now() - timedelta(days=older_than_days)
    _fail_abandoned_imports(cutoff)
    finished = ImportJob.objects.filter(status__in=FINISHED_STATUSES, finished_at__lt=cutoff)
    deleted = 0
    for job in finished.exclude(stored_path="", rejects_path="").iterator():
        kept = {}
        for field in ("stored_path", "rejects_path"):
            path = Path(getattr(job, field)) if getattr(job, field) else None
            if path is None or not path.resolve().is_relative_to(root):
                continue
            if path.is_file():
                path.unlink()
                deleted += 1
            kept[field] = ""
        if kept:
            ImportJob.objects.filter(pk=job.pk).update(**kept)
    return deleted + _delete_unreferenced_files(root, cutoff)


def _fail_abandoned_imports(cutoff: datetime) -> None:
    last_alive = Q(lease_expires_at__lt=cutoff) | Q(lease_expires_at=None, created_at__lt=cutoff)
    for job in ImportJob.objects.filter(last_alive, status__in=RUNNING_STATUSES).select_related(
        "organization"
    ):
        with translation.override(job.organization.language):
            message = str(ABANDONED)
        ImportJob.objects.filter(interrupted(job), pk=job.pk).update(
            status=ImportStatus.FAILED,
            message=message,
            runner="",
            lease_expires_at=None,
            finished_at=job.lease_expires_at or job.created_at,
        )


def _delete_unreferenced_files(root: Path, cutoff: datetime) -> int:
    referenced = {
        Path(path).resolve()
        for field in ("stored_path", "rejects_path")
        for path in ImportJob.objects.exclude(**{field: ""}).values_list(field, flat=True)
    }
    deleted = 0
    for path in root.rglob("*") if root.is_dir() else ():
        if path.is_file() and path.resolve() not in referenced and path.stat().st_mtime < cutoff.timestamp():
            path.unlink()
            deleted += 1
    return deleted


def read_headers_and_preview(job: ImportJob, rows: int = 10) -> bool:
    """Keep the uploaded file's headers and first rows on the job; False (and the job failed) when the file
    cannot be read as a table."""
    try:
        with open_table(Path(job.stored_path), **job.reading_options) as table:
            headers = [
                header[:PREVIEW_CHARS] for header in table.headers
            ]  # for display and mapping by position
            preview = table.preview(rows)
            _save(job, headers=headers, preview=preview, reading=table.description())
    except TabularError as error:
        problem = ImportFileError(error.code, **error.params)
        _save(job, status=ImportStatus.FAILED, message=problem.describe(), finished_at=timezone.now())
        return False
    return True


def run_import_job(
    lease: ImportLease,
    *,
    overrides: list[str] | None = None,
    rejects_path: Path | None = None,
    progress: Progress | None = None,
    date_order: str | None = None,
) -> ImportOutcome:
    """Run the job `lease` holds and record what happened on it; returns the outcome.

    Every step reported renews the lease; a batch of rows commits only if this process still holds the
    job, and LeaseLostError stops the run as soon as another process has taken the job over."""
    job = lease.job
    organization = job.organization
    if rejects_path is None and (job.skip_invalid or job.file_is_kept):
        # One name per job: a resumed run replaces the file of the run it takes over. An upload refused for
        # its bad rows, or checked by a dry run, gets one too, so that the rows to fix can be downloaded.
        rejects_path = import_dir(organization) / f"rejects-{job.pk}.csv"
    reported_at = 0.0

    def report(phase: str, done: int, total: int) -> None:
        nonlocal reported_at
        if phase == "writing":
            # Inside the batch's transaction: LeaseLostError here rolls the batch back.
            lease.renew(status=ImportStatus.WRITING, rows_done=done, rows_total=total)
        elif time.monotonic() - reported_at >= CHECK_REPORT_SECONDS:
            # While checking, the number of rows is not known yet: total is 0.
            lease.renew(status=ImportStatus.VALIDATING, rows_done=done, rows_total=0)
            reported_at = time.monotonic()
        if progress:
            progress(phase, done, total)

    request = ImportRequest(
        organization_id=organization.pk,
        time_zone=organization.time_zone,
        kind=job.kind,
        path=Path(job.stored_path),
        overrides=overrides or [],
        mapping=job.mapping or None,
        skip_invalid=job.skip_invalid,
        dry_run=job.dry_run,
        rejects_path=rejects_path,
        reading_options=job.reading_options,
        date_order=date_order,
        currency=organization.currency,
        single_currency=organization.single_currency,
        job_id=job.pk,
    )
    try:
        _check_file_unchanged(job)
        outcome = run_import(request, report)
    except LeaseLostError:
        logger.warning("Import %s was taken over by another process: this run stops", job.pk)
        raise
    except ImportFileError as error:
        lease.end(
            status=ImportStatus.FAILED,
            message=error.describe(),
            errors=[{"file": error.code, "params": {k: str(v) for k, v in error.params.items()}}],
            finished_at=timezone.now(),
        )
        raise
    except Exception:
        logger.exception("Import %s stopped on an unexpected error", job.pk)
        lease.end(status=ImportStatus.FAILED, message=str(UNEXPECTED_FAILURE), finished_at=timezone.now())
        raise
    except BaseException:
        # Stopped on purpose (Ctrl-C, a worker told to stop at once).
        with contextlib.suppress(Exception):  # the lease then runs out by itself
            lease.interrupt()
        raise
    if outcome.ok or job.skip_invalid:
        status = ImportStatus.CHECKED if job.dry_run else ImportStatus.SUCCEEDED
    else:
        status = ImportStatus.FAILED
    message = ""
    if outcome.rejects_error is not None:
        with translation.override(organization.language):
            message = rejects_not_written(outcome)
    lease.end(
        status=status,
        message=message,
        rows_total=outcome.rows,
        rows_done=outcome.rows,
        rows_written=outcome.written,
        rows_duplicate=outcome.duplicates,
        rows_rejected=len(outcome.rejected_lines),
        errors=[p.as_dict() for p in outcome.problems],
        reading=outcome.reading,
        notes=[note.as_dict() for note in outcome.notes],
        rejects_path=str(rejects_path) if rejects_path and outcome.rejected_lines and not message else "",
        finished_at=timezone.now(),
    )
    return outcome


def rejects_not_written(outcome: ImportOutcome) -> str:
    """Said when the valid rows were stored but the rejects file could not be written."""
    return ngettext(
        "%(written)s row was imported, but the rejected rows could not be written to %(path)s "
        "(%(reason)s): they are listed with their reasons in this import's report.",
        "%(written)s rows were imported, but the rejected rows could not be written to %(path)s "
        "(%(reason)s): they are listed with their reasons in this import's report.",
        outcome.written,
    ) % {"written": outcome.written, "path": outcome.rejects_path, "reason": outcome.rejects_error}


def _save(job: ImportJob, **changes: object) -> None:
    for name, value in changes.items():
        setattr(job, name, value)
    # Progress is written outside the import's own transactions, so a page polling it sees it move.
    ImportJob.objects.filter(pk=job.pk).update(**changes)
