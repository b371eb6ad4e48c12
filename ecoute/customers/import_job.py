"""The record of one import: what was asked, how far it went, what was rejected, who runs it."""

from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecoute.accounts.tenancy import OrgOwned
from ecoute.lib.process_identity import has_ended


class ImportKind(models.TextChoices):
    CUSTOMERS = "customers", _("customers")
    CONSENTS = "consents", _("consents")
    TRANSACTIONS = "transactions", _("transactions")
    INTERACTIONS = "interactions", _("interactions")
    LOYALTY_ACTS = "loyalty-acts", _("loyalty acts")


class ImportStatus(models.TextChoices):
    DRAFT = "draft", _("to confirm")
    PENDING = "pending", _("waiting")
    VALIDATING = "validating", _("checking")
    WRITING = "writing", _("importing")
    SUCCEEDED = "succeeded", _("done")
    CHECKED = "checked", _("checked (dry run)")
    FAILED = "failed", _("failed")
    UNDONE = "undone", _("undone")


# A process works on a job in these statuses, under a lease it renews as it goes.
RUNNING_STATUSES = (ImportStatus.VALIDATING, ImportStatus.WRITING)
FINISHED_STATUSES = (ImportStatus.SUCCEEDED, ImportStatus.CHECKED, ImportStatus.FAILED, ImportStatus.UNDONE)


class ImportJob(OrgOwned):
    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    original_name = models.CharField(_("file"), max_length=255)
    stored_path = models.CharField(max_length=500, blank=True)
    # The SHA-256 of an uploaded file as it was stored: what a dry run checked is what is imported.
    file_digest = models.CharField(max_length=64, blank=True)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    # Read once at upload, for the mapping page: the file is not opened again to show it.
    headers = models.JSONField(default=list, blank=True)
    preview = models.JSONField(default=list, blank=True)
    # How to read the file, as chosen (encoding, sheet, header_row), and how it was read (encoding
    # found, sheets, totals lines skipped…), for the report.
    reading_options = models.JSONField(default=dict, blank=True)
    reading = models.JSONField(default=dict, blank=True)
    skip_invalid = models.BooleanField(_("import valid rows, reject the others"), default=False)
    dry_run = models.BooleanField(_("check only"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.DRAFT
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # Rows stored (in a dry run, that would be): one per key, the file's repeats of a key folded in.
    rows_written = models.PositiveIntegerField(_("imported"), default=0)
    rows_duplicate = models.PositiveIntegerField(_("duplicates"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rejected"), default=0)
    errors = models.JSONField(default=list, blank=True)
    # What the import decided without refusing anything (lines gathered into sales, repeated customers…).
    notes = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    rejects_path = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The process running the job holds it until `lease_expires_at` and renews that as it goes; a job
    # still running with its lease run out was interrupted (its process died) and can be resumed.
    runner = models.CharField(max_length=64, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.kind}: {self.original_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def is_interrupted(self) -> bool:
        """Left running by a process that died: the lease it renews while it works ran out, or it was a
        process of this machine and it has ended."""
        if self.status not in RUNNING_STATUSES:
            return False
        expired = self.lease_expires_at is None or self.lease_expires_at <= timezone.now()
        return expired or (bool(self.runner) and has_ended(self.runner))

    @property
    def is_under_way(self) -> bool:
        """Waiting for a worker or running: the page follows it."""
        return self.status == ImportStatus.PENDING or (
            self.status in RUNNING_STATUSES and not self.is_interrupted
        )

    @property
    def file_is_kept(self) -> bool:
        """The file was uploaded and is kept by Écoute, so a worker can read it again; a file given to
        `ecoute import` belongs to the person who ran the command."""
        if not self.stored_path:
            return False
        root = (Path(settings.MEDIA_ROOT) / "imports").resolve()
        return Path(self.stored_path).resolve().is_relative_to(root)

    @property
    def percent_done(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_done / self.rows_total))


def imported_by_field() -> models.PositiveIntegerField[int | None, int | None]:
    """The import that last wrote a row (its id), read only to undo that import. A plain number, without
    a foreign key's check or an index, so that imports write as fast as before; undoing reads the
    organization's rows once."""
    return models.PositiveIntegerField(null=True, blank=True, editable=False)


class ImportSnapshot(models.Model):
    """A row as it was just before an import overwrote it (the columns that import updates), so that
    undoing the import puts it back. Rows the import created have none: undoing removes them."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="snapshots")
    row_id = models.BigIntegerField()
    prior = models.JSONField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["job", "row_id"], name="import_snapshot_one_per_row")
        ]

    def __str__(self) -> str:
        return f"{self.job_id}: {self.row_id}"
