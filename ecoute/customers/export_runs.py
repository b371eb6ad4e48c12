"""Large lists exported in the background: asked for, claimed by one worker, written, kept, removed.

`queue_export` records the request (in the audit log too) and queues its task once the request commits;
the same person asking again for the same list, filters and format while it is under way gets the export
already under way (a constraint of the database keeps one, whatever the timing). `claim_export` gives the
export to one process only; `write_export` writes the file beside its final place and renames it there
once complete, renewing its lease from a thread of its own as it goes (on SQLite a write from the
connection that is reading the rows would stay uncommitted, holding the database's lock, until the last
row is read), then e-mails the person through the outbox. Files past their date are deleted by
export_purge.
"""

import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone, translation

from ecoute.accounts.audit import AuditAction, record_export
from ecoute.customers.export_job import (
    ACTIVE_STATUSES,
    ExportFailure,
    ExportJob,
    ExportStatus,
    export_files_dir,
    export_lease,
)
from ecoute.customers.export_notice import queue_ready_notice
from ecoute.customers.exports import ExportedList, exported_list, list_rows
from ecoute.lib.exports import ExportFormat, write_list_file
from ecoute.lib.process_identity import lease_lapsed, this_process

logger = logging.getLogger(__name__)


class ExportLeaseLostError(Exception):
    """Another process took the export over after this one's lease ran out: this one stops."""


@dataclass(frozen=True)
class ExportRequest:
    """What a page asks to export: the list, the query string it was built from, the format, the list's
    title and file name in the file's language, and how many rows it holds now."""

    exported: ExportedList
    query: QueryDict
    file_format: ExportFormat
    title: str
    file_name: str
    row_count: int


def _plain(value: Any) -> Any:
    """`value` as it reads back from a JSON field."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _query_of(query: QueryDict) -> dict[str, list[str]]:
    """The query string's values, without the page number (an export is every page)."""
    return {key: values for key, values in sorted(query.lists()) if key != "page"}


def _fingerprint(list_name: str, query: dict[str, list[str]], file_format: str, language: str) -> str:
    key = json.dumps([list_name, query, file_format, language], sort_keys=True)
    return hashlib.sha256(key.encode()).hexdigest()


def queue_export(membership: Any, wanted: ExportRequest, *, columns: list[str]) -> tuple[ExportJob, bool]:
    """The export of `wanted` for `membership`'s person, queued and recorded in the audit log, and True;
    or the same export already under way and False."""
    organization = membership.organization
    query = _query_of(wanted.query)
    fingerprint = _fingerprint(wanted.exported.name, query, wanted.file_format.value, organization.language)
    under_way = ExportJob.objects.filter(
        organization=organization,
        requested_by=membership.user,
        fingerprint=fingerprint,
        status__in=ACTIVE_STATUSES,
    )
    if (job := under_way.first()) is not None:
        return job, False
    stored, shown = wanted.exported.filters
    try:
        with transaction.atomic():
            job = ExportJob.objects.create(
                organization=organization,
                requested_by=membership.user,
                list_name=wanted.exported.name,
                query=query,
                title=wanted.title,
                file_format=wanted.file_format.value,
                language=organization.language,
                time_zone=organization.time_zone,
                filters=_plain(stored),
                shown_filters=_plain(shown),
                fingerprint=fingerprint,
                file_name=wanted.file_name,
                rows_expected=wanted.row_count,
            )
            record_export(
                membership,
                wanted.exported.name,
                wanted.file_format.value,
                title=wanted.title,
                filters=stored,
                shown_filters=shown,
                columns=columns,
                row_count=wanted.row_count,
                export_id=job.pk,
            )
            transaction.on_commit(partial(enqueue_export, job.pk))
    except IntegrityError:
        # Asked twice at the same moment: the other request's export is the one.
        if (other := under_way.first()) is None:
            raise
        return other, False
    return job, True


def enqueue_export(export_id: int) -> None:
    from ecoute.customers.tasks import run_export_task

    run_export_task.enqueue(export_id)


def record_download(membership: Any, job: ExportJob) -> None:
    record_export(
        membership,
        job.list_name,
        job.file_format,
        title=job.title,
        filters=job.filters,
        shown_filters=[tuple(pair) for pair in job.shown_filters],
        columns=[],
        row_count=job.rows_written,
        export_id=job.pk,
        action=AuditAction.DOWNLOAD,
    )


def interrupted(job: ExportJob) -> Q:
    """Still running as seen, its lease run out or its process ended."""
    return lease_lapsed(job.runner, Q(status=ExportStatus.RUNNING))


def claim_export(export_id: int) -> ExportJob | None:
    """Take a waiting export, or one whose process died, for this process; None when another process
    has it or it is finished. Of two processes claiming at once, exactly one gets it."""
    seen = ExportJob.objects.filter(pk=export_id).first()
    if seen is None:
        return None
    claimed = ExportJob.objects.filter(
        Q(status=ExportStatus.PENDING) | interrupted(seen), pk=export_id
    ).update(
        status=ExportStatus.RUNNING,
        runner=this_process(),
        lease_expires_at=timezone.now() + export_lease(),
        attempts=F("attempts") + 1,
        rows_written=0,
        message="",
    )
    if not claimed:
        return None
    return ExportJob.objects.select_related("organization").get(pk=export_id)


def _held(job: ExportJob) -> QuerySet[ExportJob]:
    return ExportJob.objects.filter(pk=job.pk, runner=job.runner, status=ExportStatus.RUNNING)


class _Heartbeat:
    """Renews the export's lease and records the rows written, about every second, on a connection of
    its own; `lost` is set when another process has taken the export over."""

    def __init__(self, job: ExportJob) -> None:
        self.job = job
        self.rows = 0
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"export-{job.pk}-lease", daemon=True)

    def __enter__(self) -> "_Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        interval = min(1.0, settings.EXPORT_LEASE_SECONDS / 3)
        try:
            while not self._stop.wait(interval):
                renewed = _held(self.job).update(
                    rows_written=self.rows, lease_expires_at=timezone.now() + export_lease()
                )
                if not renewed:
                    self.lost.set()
                    return
        finally:
            connection.close()

    def counted(self, rows: Any) -> Any:
        for row in rows:
            yield row
            self.rows += 1
            if not self.rows % 1000 and self.lost.is_set():
                raise ExportLeaseLostError(self.job.pk)


def _remove_parts(job: ExportJob, keep: Path | None = None) -> None:
    """Delete the files earlier attempts at `job` left half-written."""
    folder = export_files_dir() / str(job.organization_id)
    for part in folder.glob(f"{job.pk}-*.part"):
        if part != keep:
            part.unlink(missing_ok=True)


def write_export(job: ExportJob) -> None:
    """Write the file of `job`, claimed by this process, and make it ready to download. It fails
    (FILTERS_CHANGED) when its filters no longer select what they did (a tag removed since);
    ExportLeaseLostError when another process took it over."""
    query = QueryDict(mutable=True)
    for key, values in job.query.items():
        query.setlist(key, values)
    with translation.override(job.language):
        exported = exported_list(job.list_name, job.organization, query)
        columns = exported.columns()
    if _plain(exported.filters[0]) != job.filters:
        _end(job, status=ExportStatus.FAILED, message=ExportFailure.FILTERS_CHANGED)
        return
    part = job.part_path()
    part.parent.mkdir(parents=True, exist_ok=True)
    _remove_parts(job, keep=part)
    started = time.monotonic()
    with _Heartbeat(job) as heartbeat:
        write_list_file(
            part,
            heartbeat.counted(list_rows(exported.customers, columns)),
            [column.column for column in columns],
            language=job.language,
            file_format=ExportFormat(job.file_format),
            title=job.title,
            zone=ZoneInfo(job.time_zone),
        )
    if heartbeat.lost.is_set():
        part.unlink(missing_ok=True)
        raise ExportLeaseLostError(job.pk)
    complete = part.with_suffix("")  # "<id>-<attempt>.<format>"
    part.replace(complete)
    now = timezone.now()
    try:
        _end(
            job,
            status=ExportStatus.READY,
            stored_name=str(complete.relative_to(export_files_dir())),
            file_size=complete.stat().st_size,
            rows_written=heartbeat.rows,
            finished_at=now,
            expires_at=now + timedelta(days=settings.EXPORT_FILE_DAYS),
        )
    except ExportLeaseLostError:
        complete.unlink(missing_ok=True)
        raise
    queue_ready_notice(ExportJob.objects.select_related("organization", "requested_by").get(pk=job.pk))
    logger.info("Export %s: %s rows in %.1f s", job.pk, heartbeat.rows, time.monotonic() - started)


def _end(job: ExportJob, **changes: Any) -> None:
    """Record the export's outcome and let it go; ExportLeaseLostError when taken over."""
    changes.setdefault("finished_at", timezone.now())
    if not _held(job).update(runner="", lease_expires_at=None, **changes):
        raise ExportLeaseLostError(job.pk)


def fail_export(job: ExportJob, message: str) -> None:
    """An export that cannot be written (an error, or interrupted too often) ends failed, its half file
    removed."""
    ExportJob.objects.filter(pk=job.pk, status__in=ACTIVE_STATUSES).update(
        status=ExportStatus.FAILED,
        runner="",
        lease_expires_at=None,
        finished_at=timezone.now(),
        message=message,
    )
    _remove_parts(job)
