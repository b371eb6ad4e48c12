"""The demo's past reactivation campaign, with a real simulated effect.

Launched 90 days before the demo's last day with a 60-day window (so it is finished), it targets the
customers who had not bought for at least 90 days at launch (at risk) or 180 days (lost). Members fall
in the treatment or control group by the campaign's own hash, as a real launch does. Then the months
after the launch are simulated: held-out customers come back at a base rate, treated customers at a
higher one, and those who come back buy one or two baskets in the window. The transactions are
written like imported ones and the customers' purchase figures refreshed, so the report shows a lift
found the way it would be found in real data, with its uncertainty.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Max, Q

from ecoute.accounts.models import Organization
from ecoute.analytics.lift import in_control
from ecoute.customers.models import PURCHASE, Customer, Transaction
from ecoute.customers.queries import refresh_purchase_stats
from ecoute.retention.campaign_models import Campaign, CampaignGroup, CampaignMember, CampaignStatus
from ecoute.retention.models import ActivityStatus

DAYS_BEFORE_TODAY = 90
WINDOW_DAYS = 60
AT_RISK_DAYS, LOST_DAYS = 90, 180
# Chance of coming back within the window: without the campaign, and with it.
BASE_RATE, TREATED_RATE = 0.10, 0.17
NAME = "Reconquête printemps"


def run_past_campaign(organization: Organization, *, seed: int, today: date) -> dict[str, int]:
    """Add the finished campaign and its simulated aftermath; returns its group sizes and returns."""
    zone = ZoneInfo(organization.time_zone)
    launch = datetime.combine(today - timedelta(days=DAYS_BEFORE_TODAY), time(10, 0), zone)
    rng = random.Random(seed * 7919 + 17)  # noqa: S311 - a simulation, repeatable from its seed
    last = (
        Customer.objects.for_org(organization)
        .annotate(
            last=Max(
                "transactions__occurred_at", filter=Q(transactions__occurred_at__lt=launch) & _purchase()
            )
        )
        .filter(last__lte=launch - timedelta(days=AT_RISK_DAYS))
        .order_by("pk")
        .values_list("pk", "last", "region")
    )
    campaign = Campaign.objects.create(
        organization=organization,
        name=NAME,
        salt=f"demo-{seed}",  # the same groups for the same seed, as the rest of the demo
        audience={"status": "both"},
        email_enabled=True,
        email_subject_fr="{first_name|Bonjour}, vous nous manquez",
        email_body_fr=(
            "Bonjour {first_name|},\n\nCela fait un moment ! Nos nouveautés de printemps vous attendent."
        ),
        email_subject_en="{first_name|Hello}, we miss you",
        email_body_en="Hello {first_name|},\n\nIt has been a while! Our spring arrivals are waiting for you.",
        calls_enabled=True,
        call_script="Prendre des nouvelles, demander ce qui a manqué, présenter les nouveautés.",
        status=CampaignStatus.LAUNCHED,
        created_at=launch - timedelta(days=3),
        launched_at=launch,
    )
    members: list[CampaignMember] = []
    strata: dict[tuple[str, bool], list[int]] = {}
    counts = {"treatment": 0, "control": 0, "returned": 0}
    for pk, last_at, region in last:
        group = CampaignGroup.CONTROL if in_control(campaign.salt, pk) else CampaignGroup.TREATMENT
        lost = launch - last_at > timedelta(days=LOST_DAYS)
        members.append(
            CampaignMember(
                organization=organization,
                campaign=campaign,
                customer_id=pk,
                group=group,
                status_at_launch=ActivityStatus.LOST if lost else ActivityStatus.AT_RISK,
                region_at_launch=region,
            )
        )
        counts[str(group)] += 1
        strata.setdefault((str(group), lost), []).append(pk)
    sales: list[Transaction] = []
    for (group_name, lost), customers in sorted(strata.items()):
        # Exactly the expected share of each stratum comes back, drawn at random: the effect is the
        # simulated one whatever ids the database gave, so the demo's report always shows it.
        rate = (TREATED_RATE if group_name == CampaignGroup.TREATMENT else BASE_RATE) * (0.7 if lost else 1.2)
        for pk in rng.sample(customers, round(rate * len(customers))):
            counts["returned"] += 1
            sales += _baskets(organization, pk, launch, rng)
    CampaignMember.objects.bulk_create(members, batch_size=1000)
    Transaction.objects.bulk_create(sales, batch_size=1000)
    refresh_purchase_stats(organization.pk, [t.customer_id for t in sales])
    return counts


def _baskets(organization: Organization, pk: int, launch: datetime, rng: random.Random) -> list[Transaction]:
    """One or two baskets bought by a returning customer within the window."""
    return [
        Transaction(
            organization=organization,
            customer_id=pk,
            external_id=f"DEMO-CAMPAIGN-{pk}-{basket}",
            occurred_at=launch + timedelta(days=rng.uniform(1, WINDOW_DAYS - 1)),
            amount=Decimal(str(round(rng.lognormvariate(4.1, 0.45), 2))),
            currency=organization.currency,
            channel="store",
        )
        for basket in range(1 + (rng.random() < 0.3))
    ]


def _purchase() -> Q:
    """PURCHASE, seen from a customer through their transactions."""
    return Q(**{f"transactions__{key}": value for key, value in PURCHASE.children})  # type: ignore[misc]
