"""Files of exports past their date deleted, and files no export points at any more (left by a process
that died between writing and recording one); the exports stay listed, as expired."""

from datetime import datetime, timedelta

from django.utils import timezone

from ecoute.customers.export_job import ACTIVE_STATUSES, ExportJob, ExportStatus, export_files_dir

# A file no export points at (left by a process that died between writing and recording it) is
# deleted once it is this old.
ORPHAN_AGE = timedelta(hours=1)


def purge_expired_exports(now: datetime | None = None) -> int:
    """Delete the files of exports past their date (the exports stay listed as expired), and files no
    export points at any more; how many exports expired."""
    now = now or timezone.now()
    expired = 0
    for job in ExportJob.objects.filter(status=ExportStatus.READY, expires_at__lte=now).order_by("pk"):
        if ExportJob.objects.filter(pk=job.pk, status=ExportStatus.READY).update(
            status=ExportStatus.EXPIRED, stored_name=""
        ):
            if job.path is not None:
                job.path.unlink(missing_ok=True)
            expired += 1
    _remove_orphans(now)
    return expired


def _remove_orphans(now: datetime) -> None:
    root = export_files_dir()
    if not root.is_dir():
        return
    kept = set(ExportJob.objects.filter(status=ExportStatus.READY).values_list("stored_name", flat=True))
    under_way = set(ExportJob.objects.filter(status__in=ACTIVE_STATUSES).values_list("pk", flat=True))
    oldest = (now - ORPHAN_AGE).timestamp()
    for path in root.glob("*/*"):
        name = str(path.relative_to(root))
        export_id = path.name.split("-", 1)[0]
        if name in kept or (export_id.isdigit() and int(export_id) in under_way):
            continue
        if path.is_file() and path.stat().st_mtime < oldest:
            path.unlink(missing_ok=True)
