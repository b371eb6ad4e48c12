"""The audit log: who did what with an organization's personal data, and when.

An export is recorded before its file is written, with the list, its filters, its format and the
number of rows it holds at that moment: a download that is cut off has still left the product. A large
list prepared in the background is recorded when it is asked for, then again each time its file is
downloaded.
"""

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    EXPORT = "export", _("Export")
    DOWNLOAD = "download", _("Download of a prepared export")


class AuditEvent(models.Model):
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    # Who it was, kept when their account is deleted.
    user_email = models.EmailField(_("person"))
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    # What the action was about: for an export, the list ("customers", "lost customers").
    subject = models.CharField(_("subject"), max_length=100)
    # For an export: {"title": the list's name in the organization's language, "format": "csv",
    # "filters": {...}, "shown_filters": [[label, value], ...], "columns": [...]}; the shown filters are
    # in the language of the person who exported. An export prepared in the background, and each
    # download of its file, also carry "export_id".
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["organization", "-created_at", "-id"], name="audit_event_recent_idx")
        ]
        ordering: ClassVar = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.user_email} {self.action} {self.subject} at {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def title(self) -> str:
        return str(self.parameters.get("title") or self.subject)

    @property
    def file_format(self) -> str:
        return str(self.parameters.get("format", "")).upper()

    @property
    def shown_filters(self) -> list[Any]:
        shown = self.parameters.get("shown_filters", [])
        return shown if isinstance(shown, list) else []


def record_export(
    membership: Any,
    subject: str,
    file_format: str,
    *,
    title: str,
    filters: dict[str, Any],
    shown_filters: list[tuple[str, str]],
    columns: list[str],
    row_count: int,
    export_id: int | None = None,
    action: str = AuditAction.EXPORT,
) -> AuditEvent:
    """Record that `membership`'s person exported `row_count` rows of the list `subject` (or, with
    `action` DOWNLOAD, downloaded the file of the export `export_id` prepared in the background)."""
    parameters: dict[str, Any] = {
        "title": title,
        "format": file_format,
        "filters": filters,
        "shown_filters": [list(pair) for pair in shown_filters],
        "columns": columns,
    }
    if export_id is not None:
        parameters["export_id"] = export_id
    return AuditEvent.objects.create(
        organization_id=membership.organization_id,
        user_id=membership.user_id,
        user_email=membership.user.email,
        action=action,
        subject=subject,
        parameters=parameters,
        row_count=row_count,
    )
