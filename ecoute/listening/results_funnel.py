"""A survey's invitations counted per wave and channel: planned, skipped by reason, sent, bounced,
opened, started, completed — each by one GROUP BY in the database."""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import formats
from django.utils.translation import gettext as _

from ecoute.listening.models import Invitation, Response, Survey
from ecoute.listening.responses import InvitationStatus, ResponseChannel, SkipReason
from ecoute.listening.results import percent

REACHED = (InvitationStatus.SENT, InvitationStatus.BOUNCED, InvitationStatus.OPENED)


@dataclass(frozen=True)
class FunnelRow:
    wave: str
    channel: str
    planned: int
    skipped: list[tuple[str, int]]
    sent: int
    bounced: int
    opened: int
    started: int
    completed: int

    @property
    def skipped_total(self) -> int:
        return sum(count for _reason, count in self.skipped)

    @property
    def response_rate(self) -> str:
        return percent(100 * self.completed / self.sent, 1) if self.sent else "—"


def _wave_label(planned_at: Any) -> str:
    if planned_at is None:
        return _("No wave (after an event)")
    return _("Wave of %(date)s") % {"date": formats.date_format(planned_at, "DATE_FORMAT")}


def invitation_funnel(survey: Survey) -> list[FunnelRow]:
    """Per wave and channel: planned, skipped by reason, sent, bounced, opened, started, completed."""
    invitations = Invitation.objects.filter(survey=survey)
    started = Q(response__isnull=False) | Q(status__in=[InvitationStatus.STARTED, InvitationStatus.COMPLETED])
    completed = Q(response__completed_at__isnull=False) | Q(status=InvitationStatus.COMPLETED)
    opened = Q(opened_at__isnull=False) | Q(status=InvitationStatus.OPENED) | started
    sent = Q(sent_at__isnull=False) | Q(status__in=REACHED) | opened
    rows = (
        invitations.values("wave_id", "wave__planned_at", "channel")
        .annotate(
            planned=Count("id"),
            sent=Count("id", filter=sent),
            bounced=Count("id", filter=Q(status=InvitationStatus.BOUNCED)),
            opened=Count("id", filter=opened),
            started=Count("id", filter=started),
            completed=Count("id", filter=completed),
        )
        .order_by("wave__planned_at", "wave_id", "channel")
    )
    skipped: dict[tuple[int | None, str], list[tuple[str, int]]] = defaultdict(list)
    reasons = (
        invitations.filter(status=InvitationStatus.SKIPPED)
        .values("wave_id", "channel", "skip_reason")
        .annotate(count=Count("id"))
        .order_by("wave_id", "channel", "-count", "skip_reason")
    )
    for row in reasons:
        label = SkipReason(row["skip_reason"]).label if row["skip_reason"] in SkipReason else _("other")
        skipped[row["wave_id"], row["channel"]].append((str(label), row["count"]))
    channels = dict(Invitation._meta.get_field("channel").flatchoices)
    return [
        FunnelRow(
            wave=_wave_label(row["wave__planned_at"]),
            channel=str(channels.get(row["channel"], row["channel"])),
            planned=row["planned"],
            skipped=skipped[row["wave_id"], row["channel"]],
            sent=row["sent"],
            bounced=row["bounced"],
            opened=row["opened"],
            started=row["started"],
            completed=row["completed"],
        )
        for row in rows
    ]


def responses_by_channel(survey: Survey) -> list[dict[str, Any]]:
    """Responses per wave and answering channel (e-mail, web, kiosk, phone…), started and completed."""
    rows = (
        Response.objects.filter(survey=survey)
        .values("invitation__wave__planned_at", "channel")
        .annotate(started=Count("id"), completed=Count("id", filter=Q(completed_at__isnull=False)))
        .order_by("invitation__wave__planned_at", "channel")
    )
    return [
        {
            "wave": _wave_label(row["invitation__wave__planned_at"]),
            "channel": ResponseChannel(row["channel"]).label
            if row["channel"] in ResponseChannel
            else row["channel"],
            "started": row["started"],
            "completed": row["completed"],
        }
        for row in rows
    ]
