"""The record of one list exported in the background: what was asked, by whom, how far it went, where its
file is kept and until when.

A list longer than settings.EXPORT_STREAM_MAX_ROWS is not streamed in the answer (a web request would be
cut off before the file ends): it is written by a worker into private storage (settings.EXPORT_FILES_DIR,
never under a public URL), first under a name of its own attempt ending in ".part", renamed once complete;
the job points at the file only when it is ready, so a file half-written by a worker that died is never
offered. The worker holds the job under a lease it renews as it writes, as imports do.
"""

from datetime import timedelta
from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ecoute.accounts.tenancy import OrgOwned
from ecoute.lib.exports import ExportFormat
from ecoute.lib.process_identity import has_ended


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    RUNNING = "running", _("being prepared")
    READY = "ready", _("ready")
    FAILED = "failed", _("failed")
    EXPIRED = "expired", pgettext_lazy("an export whose file was deleted", "expired")


class ExportFailure(models.TextChoices):
    """Why an export failed, stored as its message; shown in the reader's language."""

    FILTERS_CHANGED = (
        "filters_changed",
        _("The list's filters no longer select what they did (a tag was removed since): export it again."),
    )
    INTERRUPTED = "interrupted", _("Preparing the file was interrupted several times: export the list again.")
    ERROR = "error", _("The file could not be written: export the list again, or ask your administrator.")


# An export waiting or being written: one such export per person, list, filters and format at a time.
ACTIVE_STATUSES = (ExportStatus.PENDING, ExportStatus.RUNNING)


def export_files_dir() -> Path:
    return Path(settings.EXPORT_FILES_DIR)


def export_lease() -> timedelta:
    return timedelta(seconds=settings.EXPORT_LEASE_SECONDS)


class ExportJob(OrgOwned):
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The list ("customers", "lost_customers"), its query string as the page had it, and its name in the
    # file's language: the worker builds the same list from them.
    list_name = models.CharField(_("list"), max_length=40)
    query = models.JSONField(default=dict, blank=True)
    title = models.CharField(_("list"), max_length=200)
    file_format = models.CharField(
        _("format"), max_length=8, choices=[(f.value, f.name) for f in ExportFormat]
    )
    # The file's language and time zone when it was asked for (the organization's).
    language = models.CharField(max_length=8)
    time_zone = models.CharField(max_length=64)
    # The filters as they applied when asked for (checked again when the file is written) and as the
    # person saw them.
    filters = models.JSONField(default=dict, blank=True)
    shown_filters = models.JSONField(default=list, blank=True)
    # The same person asking for the same list, filters and format has the same fingerprint.
    fingerprint = models.CharField(max_length=64)
    file_name = models.CharField(max_length=255)
    status = models.CharField(
        _("status"), max_length=12, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    rows_expected = models.PositiveIntegerField(_("rows"), default=0)
    rows_written = models.PositiveIntegerField(default=0)
    file_size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    # The complete file's name under export_files_dir(), set when it is ready.
    stored_name = models.CharField(max_length=255, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    runner = models.CharField(max_length=64, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "requested_by", "fingerprint"],
                condition=Q(status__in=["pending", "running"]),
                name="export_job_one_under_way",
            )
        ]
        indexes: ClassVar = [
            models.Index(fields=["organization", "-created_at", "-id"], name="export_job_recent_idx"),
            models.Index(fields=["status", "expires_at"], name="export_job_status_idx"),
        ]
        ordering: ClassVar = ["-created_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return f"{self.list_name}.{self.file_format} #{self.pk}"

    @property
    def is_interrupted(self) -> bool:
        """Left running by a process that died: its lease ran out, or its process of this machine ended."""
        if self.status != ExportStatus.RUNNING:
            return False
        expired = self.lease_expires_at is None or self.lease_expires_at <= timezone.now()
        return expired or (bool(self.runner) and has_ended(self.runner))

    @property
    def is_under_way(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_downloadable(self) -> bool:
        return (
            self.status == ExportStatus.READY
            and bool(self.stored_name)
            and (self.expires_at is None or self.expires_at > timezone.now())
        )

    @property
    def path(self) -> Path | None:
        return export_files_dir() / self.stored_name if self.stored_name else None

    @property
    def download_name(self) -> str:
        return f"{self.file_name}.{self.file_format}"

    @property
    def failure_reason(self) -> str:
        if self.message in ExportFailure.values:
            return str(ExportFailure(self.message).label)
        return self.message

    @property
    def percent_done(self) -> int:
        if not self.rows_expected:
            return 0
        return min(100, round(100 * self.rows_written / self.rows_expected))

    def part_path(self) -> Path:
        """Where this attempt writes the file until it is complete."""
        return (
            export_files_dir()
            / str(self.organization_id)
            / f"{self.pk}-{self.attempts}.{self.file_format}.part"
        )
