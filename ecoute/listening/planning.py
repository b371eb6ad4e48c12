"""Planning invitations: for a whole audience at once, in SQL, who is invited and who is skipped, and why.

Each candidate gets one outcome, the first that applies in this order:

1. no_address      the customer has no e-mail address;
2. do_not_contact  the customer asked not to be contacted (an active Suppression of the customer);
3. bounced         their address bounced or complained (an active Suppression of the address);
4. consent         their latest consent for e-mail × surveys is not granted (withdrawn or never given);
5. pressure        they were solicited `max_solicitations` times within `per_days` days already;
6. gap             they were solicited less than `min_gap_days` days ago;
7. cooldown        they were invited to this very survey less than its `cooldown_days` days ago;
otherwise they are invited.

Reasons the person gave (do-not-contact, bounce, consent) come before the company's own budget, so
that the count by reason tells how many could never be asked from how many may be asked later.

Quiet hours and days never skip anyone: a wave planned inside them is scheduled for the first allowed
moment after (in the organization's time zone), and every rule is evaluated at that moment. So the
`quiet` reason is never written by planning; the sender keeps it for messages it has to hold back.

The outcome is one CASE expression over correlated subqueries (see contact_policy.py), so the database
evaluates the whole audience in one statement; rows are then written with bulk inserts.

Planning may be limited to some customers of the audience (`among`: the API invites the customers it
names); the rules are the same query's, and customers named outside the audience are not candidates.

A survey has at most one wave a day (the day it leaves, in the organization's time zone): planning
again that day adds to the same wave only the customers not in it yet, so a rerun never doubles an
invitation, and those skipped keep their first reason. The database holds one invitation per
customer in a wave and one per event of a transactional survey.
"""

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Case, CharField, Count, Exists, OuterRef, QuerySet, Value, When
from django.db.models.functions import Coalesce, Lower, Trim
from django.utils import timezone

from ecoute.customers.models import Customer
from ecoute.listening.audiences import Trigger, audience_customers, consent_granted, read_audience
from ecoute.listening.contact_policy import (
    invited_to_since,
    next_allowed_time,
    policy_of,
    solicitations_since,
    solicited_since,
)
from ecoute.listening.models import Invitation, InvitationStatus, SkipReason, Survey, Wave
from ecoute.messaging.models import Suppression

INVITED = ""
BATCH_SIZE = 2000
SAMPLE_SIZE = 5


def open_wave(survey: Survey, at: datetime) -> Wave | None:
    """The survey's wave of the day `at` falls on (in the organization's time zone), if planned already;
    none for a transactional survey, whose invitations follow events."""
    if isinstance(read_audience(survey.audience, survey.kind), Trigger):
        return None
    zone = ZoneInfo(survey.organization.time_zone)
    day_start = datetime.combine(at.astimezone(zone).date(), time(), zone)
    return (
        survey.waves.filter(planned_at__gte=day_start, planned_at__lt=day_start + timedelta(days=1))
        .order_by("-planned_at", "-id")
        .first()
    )


def send_time(survey: Survey, now: datetime) -> datetime:
    """When invitations planned now may leave: now, or the end of the quiet hours."""
    return next_allowed_time(policy_of(survey.organization), now)


def candidates(
    survey: Survey, at: datetime, wave: Wave | None = None, among: Collection[int] | None = None
) -> QuerySet[Any]:
    """The survey's audience at `at` (only the customers of ids `among`, when given), less the customers
    already in `wave`, each with its `outcome`: a SkipReason, or INVITED."""
    policy = policy_of(survey.organization)
    customers = audience_customers(survey, at)
    if among is not None:
        customers = customers.filter(pk__in=list(among))
    if wave is not None:
        customers = customers.exclude(Exists(Invitation.objects.filter(wave=wave, customer=OuterRef("pk"))))
    suppressed = Suppression.objects.active().filter(organization_id=survey.organization_id)
    rules = [
        When(email="", then=Value(SkipReason.NO_ADDRESS)),
        When(Exists(suppressed.filter(customer=OuterRef("pk"))), then=Value(SkipReason.DO_NOT_CONTACT)),
        # Suppressed addresses are kept in lower case (messaging), so the index on them serves.
        When(
            Exists(suppressed.filter(address=Lower(Trim(OuterRef("email"))))), then=Value(SkipReason.BOUNCED)
        ),
        When(email_granted=False, then=Value(SkipReason.CONSENT)),
        When(solicitations__gte=policy.max_solicitations, then=Value(SkipReason.PRESSURE)),
    ]
    if policy.min_gap_days:
        rules.append(
            When(solicited_since(at - timedelta(days=policy.min_gap_days)), then=Value(SkipReason.GAP))
        )
    if survey.cooldown_days:
        rules.append(
            When(
                invited_to_since(survey, at - timedelta(days=survey.cooldown_days)),
                then=Value(SkipReason.COOLDOWN),
            )
        )
    outcomes: QuerySet[Any] = customers.alias(
        email_granted=Coalesce(consent_granted(), Value(False)),
        solicitations=solicitations_since(at - timedelta(days=policy.per_days)),
    ).annotate(outcome=Case(*rules, default=Value(INVITED), output_field=CharField()))
    return outcomes


@dataclass
class Preview:
    """What planning would do now: how many invited, how many skipped by reason, a few of each."""

    send_at: datetime
    deferred: bool
    invited: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    samples: dict[str, list[Customer]] = field(default_factory=dict)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    @property
    def total(self) -> int:
        return self.invited + self.skipped_total

    def counts(self) -> dict[str, Any]:
        return {"planned": self.invited, "skipped": dict(sorted(self.skipped.items()))}


def preview(survey: Survey, now: datetime | None = None, sample_size: int = SAMPLE_SIZE) -> Preview:
    """Planning's outcome without writing anything: the counts come from the same query planning runs."""
    now = now or timezone.now()
    at = send_time(survey, now)
    rows = candidates(survey, at, open_wave(survey, at))
    found = Preview(send_at=at, deferred=at != now)
    for row in rows.order_by().values("outcome").annotate(n=Count("pk")):
        if row["outcome"] == INVITED:
            found.invited = row["n"]
        else:
            found.skipped[row["outcome"]] = row["n"]
    if sample_size:
        for outcome in [INVITED, *found.skipped]:
            found.samples[outcome] = list(rows.filter(outcome=outcome).order_by("pk")[:sample_size])
    return found


@dataclass
class PlannedInvitations:
    """What planning wrote. An invited one has no link yet: each of its e-mails gets its own when it is
    sent (see invitation_email.survey_links)."""

    wave: Wave | None
    send_at: datetime
    invited: int
    skipped: dict[str, int]
    # The rows written by this planning, invited and skipped (with their ids).
    invitations: list[Invitation] = field(default_factory=list, repr=False)

    def counts(self) -> dict[str, Any]:
        return {"planned": self.invited, "skipped": dict(sorted(self.skipped.items()))}


@transaction.atomic
def plan_invitations(
    survey: Survey, now: datetime | None = None, among: Collection[int] | None = None
) -> PlannedInvitations:
    """Plan the survey's wave (or, for a transactional survey, the invitations now due): one row per
    candidate (of the customers of ids `among` only, when given), invited or skipped with its reason.
    Rerunnable without duplicates."""
    now = now or timezone.now()
    # One planner per survey at a time: a second one waits, then finds the first one's rows.
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    at = send_time(survey, now)
    wave = open_wave(survey, at)
    trigger = isinstance(read_audience(survey.audience, survey.kind), Trigger)
    if wave is None and not trigger:
        wave = Wave.objects.create(survey=survey, planned_at=at)
    rows = list(
        candidates(survey, at, wave, among).order_by("pk").values_list("pk", "outcome", "trigger_ref")
    )
    expires_at = at + timedelta(days=survey.expires_after_days)
    invitations = []
    for customer_id, outcome, trigger_ref in rows:
        invited = outcome == INVITED
        invitations.append(
            Invitation(
                organization_id=survey.organization_id,
                survey=survey,
                wave=wave,
                customer_id=customer_id,
                status=InvitationStatus.PLANNED if invited else InvitationStatus.SKIPPED,
                skip_reason=outcome,
                trigger_ref=trigger_ref or "",
                created_at=now,
                expires_at=expires_at if invited else None,
            )
        )
    Invitation.objects.bulk_create(invitations, batch_size=BATCH_SIZE)
    by_outcome = Counter(outcome for _id, outcome, _ref in rows)
    planned = PlannedInvitations(
        wave=wave,
        send_at=at,
        invited=by_outcome.pop(INVITED, 0),
        skipped=dict(by_outcome),
        invitations=invitations,
    )
    if wave is not None:
        wave.counts = wave_counts(wave)
        wave.planned_at = at
        wave.save(update_fields=["counts", "planned_at"])
    return planned


def wave_counts(wave: Wave) -> dict[str, Any]:
    """How many of the wave's invitations were planned, and how many skipped by reason."""
    skipped: dict[str, int] = {}
    planned = 0
    for row in wave.invitations.order_by().values("skip_reason").annotate(n=Count("pk")):
        if row["skip_reason"]:
            skipped[row["skip_reason"]] = row["n"]
        else:
            planned += row["n"]
    return {"planned": planned, "skipped": dict(sorted(skipped.items()))}
