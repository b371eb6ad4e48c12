"""A campaign's report for the console (`ecoute campaign results`): the page's figures as lines of
text in the reader's language, or as JSON for scripts (rates as fractions, money in the organization's
currency, dates in ISO 8601).

JSON (format_version 1): `campaign` (id, name, status, launched_at, window_days, window_end,
control_share), `until`, `window_over`, `currency`, `answer` (the report's sentence), `overall` and
each of `segments[]` (with `dimension` and `value`) as a comparison: `treatment` and `control`
(`customers`, `reactivated`, `rate` with `rate_low`/`rate_high` (Wilson 95 %), `revenue_per_customer`),
`lift` (`estimate`, `low`, `high`, `p_value`), `attributed_revenue` (`estimate`, `low`, `high`),
`too_small`; `emails` and `not_emailed`: counts by status and by reason.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import CommandError
from django.db.models import Count
from django.utils import formats
from django.utils.translation import gettext as _

from ecoute.accounts.models import Organization
from ecoute.analytics.proportions import wilson
from ecoute.messaging.models import Message
from ecoute.retention.campaign_figures import answer
from ecoute.retention.campaign_models import Campaign, CampaignMember
from ecoute.retention.campaign_report import report_context
from ecoute.retention.campaign_results import CampaignResults, Comparison, campaign_results

FORMAT_VERSION = 1


def campaign_named(organization: Organization, name_or_id: str) -> Campaign:
    """The organization's campaign of that name (or, all digits, that id); another organization's is
    not found. CommandError naming it otherwise."""
    campaigns = Campaign.objects.for_org(organization).select_related("organization")
    found = campaigns.filter(name=name_or_id).first() or campaigns.filter(name__iexact=name_or_id).first()
    if found is None and name_or_id.isdigit():
        found = campaigns.filter(pk=int(name_or_id)).first()
    if found is None:
        raise CommandError(
            _("No campaign “%(campaign)s” in %(org)s.") % {"campaign": name_or_id, "org": organization.name}
        )
    return found


def launched_results(campaign: Campaign, now: datetime) -> CampaignResults:
    results = campaign_results(campaign, now)
    if results is None:
        raise CommandError(
            _("The campaign “%(campaign)s” is a draft: it has results once it is launched.")
            % {"campaign": campaign.name}
        )
    return results


def _day(moment: datetime | None, zone: ZoneInfo) -> str:
    return formats.date_format(moment.astimezone(zone), "DATE_FORMAT") if moment else "—"


def results_text(campaign: Campaign, now: datetime) -> str:
    """The report as the page gives it, line by line."""
    launched_results(campaign, now)
    report = report_context(campaign, now)
    results: CampaignResults = report["results"]
    zone = ZoneInfo(campaign.organization.time_zone)
    dates = {
        "launched": _day(campaign.launched_at, zone),
        "end": _day(campaign.window_end, zone),
        "until": _day(results.until, zone),
    }
    if results.window_over:
        window = _("Launched on %(launched)s; the window closed on %(end)s: final results.") % dates
    else:
        window = _("Launched on %(launched)s; results until %(until)s, the window closes on %(end)s.") % dates
    lines = [campaign.name, window, "", report["answer"], ""]
    lift, attributed = report["lift"], report["attributed"]
    lift_text = f"{_with_interval(lift.value, lift.interval)}, {report['p_value']}"
    lines.append(_("Lift (campaign − control): %(value)s") % {"value": lift_text})
    lines.append(
        _("Revenue attributed: %(value)s") % {"value": _with_interval(attributed.value, attributed.interval)}
    )
    lines += ["", *_group_lines(report["groups"])]
    for segment in report["segments"]:
        lift, attributed = segment["lift"], segment["attributed"]
        lines += ["", segment["label"]]
        lines.append(
            _("Lift %(lift)s · revenue attributed %(revenue)s")
            % {
                "lift": _with_interval(lift.value, lift.interval),
                "revenue": _with_interval(attributed.value, attributed.interval),
            }
            + (" · " + _("not enough customers") if segment["too_small"] else "")
        )
        lines += _group_lines(segment["groups"])
    if report["emails"]:
        lines += ["", " · ".join(report["emails"])]
    if report["skipped"]:
        lines += [_("Customers not e-mailed: %(counts)s") % {"counts": " · ".join(report["skipped"])}]
    return "\n".join(lines) + "\n"


def _with_interval(value: str, interval: str) -> str:
    return f"{value} ({interval})" if interval else value


def _group_lines(groups: list[Any]) -> list[str]:
    # "95%% interval" is the pages' own string (templates double their percent signs).
    interval = _("95%% interval") % {}
    headers = [_("Group"), _("Customers (n)"), _("Came back"), interval, _("Revenue per customer")]
    rows = [headers, *[[g.name, g.n, g.rate, g.interval, g.revenue] for g in groups]]
    widths = [max(len(row[column]) for row in rows) for column in range(len(headers))]
    return [
        "  ".join(
            cell.ljust(width) if column == 0 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]


def _group(n: int, successes: int, revenue: float | None) -> dict[str, Any]:
    estimate = wilson(successes, n)
    rate = None if estimate.estimate is None else estimate.estimate / 100
    return {
        "customers": n,
        "reactivated": successes,
        "rate": rate,
        "rate_low": None if rate is None else estimate.low / 100,
        "rate_high": None if rate is None else estimate.high / 100,
        "revenue_per_customer": revenue,
    }


def _comparison(comparison: Comparison) -> dict[str, Any]:
    lift, revenue = comparison.lift, comparison.revenue
    return {
        "treatment": _group(lift.treatment_n, lift.treatment_successes, revenue.treatment_mean),
        "control": _group(lift.control_n, lift.control_successes, revenue.control_mean),
        "lift": {"estimate": lift.lift, "low": lift.low, "high": lift.high, "p_value": lift.p_value},
        "attributed_revenue": {
            "estimate": revenue.attributed,
            "low": revenue.attributed_low,
            "high": revenue.attributed_high,
        },
        "too_small": lift.too_small,
    }


def _counts(rows: Mapping[str, int]) -> dict[str, int]:
    return dict(sorted(rows.items()))


def results_json(campaign: Campaign, now: datetime) -> dict[str, Any]:
    results = launched_results(campaign, now)
    emails = (
        Message.objects.filter(organization=campaign.organization, subject_ref=f"campaign:{campaign.pk}")
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    skipped = (
        CampaignMember.objects.filter(campaign=campaign)
        .exclude(skipped_reason="")
        .values_list("skipped_reason")
        .annotate(n=Count("pk"))
    )
    return {
        "format_version": FORMAT_VERSION,
        "campaign": {
            "id": campaign.pk,
            "name": campaign.name,
            "status": campaign.status_at(now),
            "launched_at": campaign.launched_at.isoformat() if campaign.launched_at else None,
            "window_days": campaign.window_days,
            "window_end": campaign.window_end.isoformat() if campaign.window_end else None,
            "control_share": float(campaign.control_share),
        },
        "until": results.until.isoformat(),
        "window_over": results.window_over,
        "currency": campaign.organization.currency,
        "answer": answer(results.overall, campaign.organization.currency),
        "overall": _comparison(results.overall),
        "segments": [
            {"dimension": segment.dimension, "value": segment.value, **_comparison(segment.comparison)}
            for segment in results.segments
        ],
        "emails": _counts(dict(emails.values_list("status", "n"))),
        "not_emailed": _counts(dict(skipped.values_list("skipped_reason", "n"))),
    }
