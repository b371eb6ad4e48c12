"""Operations on customer data that touch several models: imports and consent changes."""

import logging
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ecoute.accounts.models import Organization, User
from ecoute.customers.importing.pipeline import ImportOutcome, ImportRequest, run_import
from ecoute.customers.importing.problems import ImportFileError
from ecoute.customers.models import ImportJob, ImportStatus
from ecoute.lib.tabular import PREVIEW_CHARS, open_table
from ecoute.lib.tabular_errors import TabularError

type Progress = Callable[[str, int, int], None]

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
) -> ImportJob:
    return ImportJob.objects.create(
        organization=organization,
        kind=kind,
        original_name=original_name[:255],
        stored_path=str(path),
        mapping=mapping or {},
        skip_invalid=skip_invalid,
        dry_run=dry_run,
        created_by=created_by,
    )


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


def start_claimed_job(job_id: int) -> bool:
    """A worker takes a waiting job; False when another worker already has it."""
    return bool(
        ImportJob.objects.filter(pk=job_id, status=ImportStatus.PENDING).update(
            status=ImportStatus.VALIDATING
        )
    )


def purge_import_files(older_than_days: int) -> int:
    """Delete the files Écoute keeps for imports finished more than `older_than_days` ago: the uploads
    and the rejects files under the import folder, never a file given on the command line."""
    root = (Path(settings.MEDIA_ROOT) / "imports").resolve()
    finished = ImportJob.objects.filter(
        status__in=[ImportStatus.SUCCEEDED, ImportStatus.CHECKED, ImportStatus.FAILED],
        finished_at__lt=timezone.now() - timedelta(days=older_than_days),
    )
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
    return deleted


def read_headers_and_preview(job: ImportJob, rows: int = 10) -> bool:
    """Keep the uploaded file's headers and first rows on the job; False (and the job failed) when the file
    cannot be read as a table."""
    try:
        with open_table(Path(job.stored_path)) as table:
            headers = [
                header[:PREVIEW_CHARS] for header in table.headers
            ]  # for display and mapping by position
            _save(job, headers=headers, preview=table.preview(rows))
    except TabularError as error:
        problem = ImportFileError(error.code, **error.params)
        _save(job, status=ImportStatus.FAILED, message=problem.describe(), finished_at=timezone.now())
        return False
    return True


def run_import_job(
    job: ImportJob,
    *,
    overrides: list[str] | None = None,
    rejects_path: Path | None = None,
    progress: Progress | None = None,
) -> ImportOutcome | None:
    """Run a job and record what happened on it; returns the outcome, or None when the file was refused."""
    organization = job.organization
    if job.skip_invalid and rejects_path is None:
        rejects_path = import_dir(organization) / f"rejects-{job.pk}-{uuid.uuid4().hex[:12]}.csv"
    _save(job, status=ImportStatus.VALIDATING)

    def report(phase: str, done: int, total: int) -> None:
        status = ImportStatus.WRITING if phase == "writing" else ImportStatus.VALIDATING
        # While checking, the number of rows is not known yet: total is 0.
        _save(job, status=status, rows_done=done, rows_total=total)
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
    )
    try:
        outcome = run_import(request, report)
    except ImportFileError as error:
        _save(
            job,
            status=ImportStatus.FAILED,
            message=error.describe(),
            errors=[{"file": error.code, "params": {k: str(v) for k, v in error.params.items()}}],
            finished_at=timezone.now(),
        )
        raise
    except Exception:
        logger.exception("Import %s stopped on an unexpected error", job.pk)
        _save(job, status=ImportStatus.FAILED, message=str(UNEXPECTED_FAILURE), finished_at=timezone.now())
        raise
    if outcome.ok or job.skip_invalid:
        status = ImportStatus.CHECKED if job.dry_run else ImportStatus.SUCCEEDED
    else:
        status = ImportStatus.FAILED
    _save(
        job,
        status=status,
        rows_total=outcome.rows,
        rows_done=outcome.rows,
        rows_written=outcome.written,
        rows_rejected=len(outcome.rejected_lines),
        errors=[p.as_dict() for p in outcome.problems],
        rejects_path=str(rejects_path) if rejects_path and outcome.rejected_lines and not job.dry_run else "",
        finished_at=timezone.now(),
    )
    return outcome


def _save(job: ImportJob, **changes: object) -> None:
    for name, value in changes.items():
        setattr(job, name, value)
    # Progress is written outside the import's own transactions, so a page polling it sees it move.
    ImportJob.objects.filter(pk=job.pk).update(**changes)
