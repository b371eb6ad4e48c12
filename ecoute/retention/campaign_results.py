"""What a launched campaign did: reactivated = a purchase (refunds are not purchases) within the window
after the launch; revenue = what the member spent in that window, refunds netted, in the organization's
currency. Each group's rate and revenue per customer, the lift and the attributed revenue (see
analytics/lift.py), overall and per segment (status at launch, store, region)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import DecimalField, Exists, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from ecoute.accounts.models import Organization
from ecoute.analytics.lift import (
    MINIMUM_GROUP,
    Lift,
    RevenueDifference,
    revenue_difference,
    two_proportion_lift,
)
from ecoute.customers.models import Transaction
from ecoute.retention.campaign_models import Campaign, CampaignGroup, CampaignMember
from ecoute.retention.models import ActivityStatus

SEGMENT_DIMENSIONS = ("status", "store", "region")


@dataclass(frozen=True)
class MemberOutcome:
    treated: bool
    status: str
    store: str
    region: str
    reactivated: bool
    revenue: float


@dataclass(frozen=True)
class Comparison:
    lift: Lift
    revenue: RevenueDifference


@dataclass(frozen=True)
class Segment:
    dimension: str
    value: str
    comparison: Comparison


@dataclass(frozen=True)
class CampaignResults:
    until: datetime
    window_over: bool
    overall: Comparison
    segments: list[Segment]


def compare(outcomes: list[MemberOutcome]) -> Comparison:
    treated = [o for o in outcomes if o.treated]
    held_out = [o for o in outcomes if not o.treated]
    lift = two_proportion_lift(
        sum(o.reactivated for o in treated), len(treated), sum(o.reactivated for o in held_out), len(held_out)
    )
    revenue = revenue_difference([o.revenue for o in treated], [o.revenue for o in held_out])
    return Comparison(lift, revenue)


def member_outcomes(campaign: Campaign, until: datetime) -> list[MemberOutcome]:
    """Each member with whether they bought, and what they spent, after the launch and until `until`."""
    after = {
        "customer": OuterRef("customer"),
        "occurred_at__gt": campaign.launched_at,
        "occurred_at__lte": until,
    }
    spent = (
        Transaction.objects.filter(**after, currency=campaign.organization.currency)
        .order_by()
        .values("customer")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    money = DecimalField(max_digits=16, decimal_places=2)
    rows = (
        CampaignMember.objects.filter(campaign=campaign)
        .annotate(
            bought=Exists(Transaction.objects.purchases().filter(**after)),
            spent=Coalesce(Subquery(spent, output_field=money), Value(Decimal(0)), output_field=money),
        )
        .values_list("group", "status_at_launch", "store_at_launch", "region_at_launch", "bought", "spent")
    )
    return [
        MemberOutcome(group == CampaignGroup.TREATMENT, status, store, region, bool(bought), float(spent))
        for group, status, store, region, bought, spent in rows
    ]


def campaign_results(campaign: Campaign, now: datetime) -> CampaignResults | None:
    """The campaign's results as of `now` (until the end of its window); None before its launch."""
    end = campaign.window_end
    if campaign.launched_at is None or end is None:
        return None
    until = min(now, end)
    outcomes = member_outcomes(campaign, until)
    segments = []
    for dimension in SEGMENT_DIMENSIONS:
        values = sorted({getattr(o, dimension) for o in outcomes})
        if len(values) < 2:  # one segment only is the whole campaign again
            continue
        for value in values:
            chosen = [o for o in outcomes if getattr(o, dimension) == value]
            segments.append(Segment(dimension, value, compare(chosen)))
    return CampaignResults(until, now >= end, compare(outcomes), segments)


def segment_label(segment: Segment) -> str:
    if segment.dimension == "status":
        return _("Status at launch: %(value)s") % {"value": ActivityStatus(segment.value).label}
    shown = segment.value or _("none")
    if segment.dimension == "store":
        return _("Store: %(value)s") % {"value": shown}
    return _("Region: %(value)s") % {"value": shown}


# What a campaign assumes comes back anyway, before any of the organization's campaigns has told.
DEFAULT_BASELINE = 0.10


def baseline_rate(organization: Organization, now: datetime) -> float:
    """The reactivation rate of the control group of the organization's last finished campaign whose
    control group was large enough to tell (MINIMUM_GROUP: a control group of two gives 0 % or 50 %),
    or DEFAULT_BASELINE."""
    finished = [
        c
        for c in Campaign.objects.for_org(organization).exclude(launched_at=None).order_by("-launched_at")[:5]
        if c.window_end is not None and c.window_end <= now
    ]
    for campaign in finished:
        lift = campaign_results(campaign, now)
        held_out = None if lift is None else lift.overall.lift
        if held_out is not None and held_out.control_rate is not None and held_out.control_n >= MINIMUM_GROUP:
            return held_out.control_rate
    return DEFAULT_BASELINE
