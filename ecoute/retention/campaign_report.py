"""What the campaign pages show: before launch, the audience's size and the power of the split; after,
the report that answers "did it work?" with each group's n, rate and revenue, and the segments."""

from collections import Counter
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from ecoute.accounts.models import Organization
from ecoute.analytics.lift import DEFAULT_CONTROL_SHARE, minimum_detectable_lift
from ecoute.lib.quantities import grouped
from ecoute.messaging.models import Message, MessageStatus
from ecoute.retention.campaign_audience import CampaignAudience
from ecoute.retention.campaign_figures import (
    answer,
    attributed_figure,
    group_rows,
    lift_figure,
    p_value_text,
    power_text,
)
from ecoute.retention.campaign_models import Campaign, CampaignMember, MemberSkip
from ecoute.retention.campaign_results import baseline_rate, campaign_results, segment_label


def _share(value: object) -> float:
    try:
        share = float(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return DEFAULT_CONTROL_SHARE
    return share if 0.05 <= share <= 0.5 else DEFAULT_CONTROL_SHARE


def power_context(organization: Organization, audience: CampaignAudience, share: object) -> dict[str, Any]:
    size = audience.customers(organization).count()
    held_out = round(size * _share(share or DEFAULT_CONTROL_SHARE))
    power = minimum_detectable_lift(size - held_out, held_out, baseline_rate(organization, timezone.now()))
    return {
        "audience": audience,
        "audience_size": grouped(size),
        "treatment_size": grouped(size - held_out),
        "control_size": grouped(held_out),
        "power": power,
        "power_text": power_text(power),
    }


def report_context(campaign: Campaign, now: datetime) -> dict[str, Any]:
    results = campaign_results(campaign, now)
    if results is None:
        return {}
    currency = campaign.organization.currency
    overall = results.overall
    emails = Counter(
        dict(
            Message.objects.filter(organization=campaign.organization, subject_ref=f"campaign:{campaign.pk}")
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
    )
    skipped = Counter(
        dict(
            CampaignMember.objects.filter(campaign=campaign)
            .exclude(skipped_reason="")
            .values_list("skipped_reason")
            .annotate(n=Count("pk"))
            .values_list("skipped_reason", "n")
        )
    )
    return {
        "results": results,
        "answer": answer(overall, currency),
        "groups": group_rows(overall, currency),
        "lift": lift_figure(overall.lift),
        "p_value": p_value_text(overall.lift.p_value) if overall.lift.p_value is not None else "—",
        "attributed": attributed_figure(overall.revenue, currency),
        "too_small": overall.lift.too_small,
        "segments": [
            {
                "label": segment_label(segment),
                "groups": group_rows(segment.comparison, currency),
                "lift": lift_figure(segment.comparison.lift),
                "attributed": attributed_figure(segment.comparison.revenue, currency),
                "too_small": segment.comparison.lift.too_small,
            }
            for segment in results.segments
        ],
        "emails": [
            EMAIL_COUNTS[MessageStatus(status)] % {"count": grouped(n), "n": n}
            for status, n in sorted(emails.items())
        ],
        "skipped": [_counted(MemberSkip(reason).label, n) for reason, n in sorted(skipped.items())],
    }


# What became of the campaign's e-mails, in words that agree with their number (the outbox's own
# labels are shared with survey invitations, of another gender in French).
EMAIL_COUNTS = {
    MessageStatus.QUEUED: ngettext_lazy(
        "%(count)s e-mail waiting to be sent", "%(count)s e-mails waiting to be sent", "n"
    ),
    MessageStatus.SENDING: ngettext_lazy("%(count)s e-mail being sent", "%(count)s e-mails being sent", "n"),
    MessageStatus.SENT: ngettext_lazy("%(count)s e-mail sent", "%(count)s e-mails sent", "n"),
    MessageStatus.FAILED: ngettext_lazy(
        "%(count)s e-mail failed (the server refused it)",
        "%(count)s e-mails failed (the server refused them)",
        "n",
    ),
    MessageStatus.CANCELLED: ngettext_lazy(
        "%(count)s e-mail not sent: contact pressure", "%(count)s e-mails not sent: contact pressure", "n"
    ),
    MessageStatus.SUPPRESSED: ngettext_lazy(
        "%(count)s e-mail not sent: consent withdrawn or address suppressed",
        "%(count)s e-mails not sent: consent withdrawn or address suppressed",
        "n",
    ),
}


def _counted(label: object, count: int) -> str:
    """ "Sent: 261", the label as the outbox names it, so that no agreement is needed."""
    return _("%(label)s: %(count)s") % {"label": capfirst(str(label)), "count": grouped(count)}
