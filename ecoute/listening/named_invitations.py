"""Inviting the customers a client names (the API), through the planning every invitation goes through.

The named customers are found in the organization by CRM id or e-mail, then planned by the survey's own
planning limited to them (`wave_actions.invite(…, among=…)`): the same audience, the same consent,
do-not-contact, bounce, contact pressure, gap and cooldown rules evaluated in one query, the same wave
of the day, quiet hours that defer the sending, the same outbox that checks consent and pressure again
when each e-mail leaves. Nothing here decides who may be asked.

Each name gets one outcome: invited (with its invitation), or skipped with a reason: planning's
(kept on the skipped invitation, as for a wave), or one that only a name can have (no such customer,
an e-mail shared by several customers, not in the survey's audience, already in today's wave, named
twice). A dry run answers from the same query and writes nothing.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecoute.customers.models import Customer
from ecoute.listening.models import Invitation, SkipReason, Survey, Wave
from ecoute.listening.planning import INVITED, candidates, open_wave, send_time
from ecoute.listening.wave_actions import invite


class NameReason(models.TextChoices):
    """Why a named customer gets no invitation from this request, beyond planning's reasons."""

    UNKNOWN_CUSTOMER = "unknown_customer", _("no customer with this CRM id or e-mail")
    AMBIGUOUS_EMAIL = "ambiguous_email", _("several customers have this e-mail: name them by CRM id")
    NOT_IN_AUDIENCE = "not_in_audience", _("not in the survey's audience now")
    ALREADY_INVITED = "already_invited", _("already in today's wave of this survey")
    NAMED_TWICE = "named_twice", _("named twice in the request")


def reason_label(reason: str) -> str:
    for choices in (SkipReason, NameReason):
        if reason in choices.values:
            return str(choices(reason).label)
    return reason


@dataclass(frozen=True)
class CustomerName:
    """A customer as the client names them: by CRM id, or by e-mail (compared in lower case)."""

    crm_id: str = ""
    email: str = ""


@dataclass
class NamedOutcome:
    row: int
    name: CustomerName
    customer: Customer | None = None
    reason: str = INVITED
    invitation_id: int | None = None

    @property
    def invited(self) -> bool:
        return self.reason == INVITED


@dataclass
class NamedInvitations:
    send_at: datetime
    deferred: bool
    wave_id: int | None = None
    outcomes: list[NamedOutcome] = field(default_factory=list)

    def counts(self) -> dict[str, object]:
        skipped: dict[str, int] = {}
        for outcome in self.outcomes:
            if not outcome.invited:
                skipped[outcome.reason] = skipped.get(outcome.reason, 0) + 1
        return {
            "planned": len(self.outcomes) - sum(skipped.values()),
            "skipped": dict(sorted(skipped.items())),
        }


def invite_named(
    survey: Survey, names: Sequence[CustomerName], *, dry_run: bool = False, now: datetime | None = None
) -> NamedInvitations:
    """Plan the survey for the named customers only, and queue the e-mails of those invited (unless
    `dry_run`). Raises what planning raises: SurveyNotActiveError, AudienceError, AlwaysQuietError."""
    now = now or timezone.now()
    outcomes = _identify(survey, names)
    ids = {o.customer.pk for o in outcomes if o.customer is not None and o.reason == INVITED}
    with transaction.atomic():
        if dry_run or not ids:  # nothing to write: no wave is opened for names that found no one
            at = send_time(survey, now)
            wave = open_wave(survey, at)
            already = _in_wave(wave, ids)
            planned_reasons = dict(candidates(survey, at, wave, ids).values_list("pk", "outcome"))
            planned_ids: dict[int, int | None] = dict.fromkeys(planned_reasons)
        else:
            planned = invite(survey, now, among=ids)
            at, wave = planned.send_at, planned.wave
            planned_reasons = {i.customer_id: i.skip_reason for i in planned.invitations}
            planned_ids = {i.customer_id: i.pk for i in planned.invitations}
            already = _in_wave(wave, ids - planned_reasons.keys())
    for outcome in outcomes:
        if outcome.customer is None or outcome.reason != INVITED:
            continue
        pk = outcome.customer.pk
        if pk in planned_reasons:
            outcome.reason, outcome.invitation_id = planned_reasons[pk], planned_ids[pk]
        elif pk in already:
            outcome.reason, outcome.invitation_id = NameReason.ALREADY_INVITED, already[pk]
        else:
            outcome.reason = NameReason.NOT_IN_AUDIENCE
    return NamedInvitations(
        send_at=at, deferred=at != now, wave_id=wave.pk if wave else None, outcomes=outcomes
    )


def _identify(survey: Survey, names: Sequence[CustomerName]) -> list[NamedOutcome]:
    """Each name with its customer of the organization, or the reason it has none."""
    customers = Customer.objects.filter(organization_id=survey.organization_id).only(
        "pk", "external_id", "email"
    )
    by_crm_id = {
        c.external_id: c for c in customers.filter(external_id__in={n.crm_id for n in names if n.crm_id})
    }
    by_email: dict[str, list[Customer]] = {}
    for customer in customers.filter(email__in={n.email for n in names if n.email}).order_by("pk"):
        by_email.setdefault(customer.email, []).append(customer)
    outcomes: list[NamedOutcome] = []
    seen: set[int] = set()
    for row, name in enumerate(names, start=1):
        outcome = NamedOutcome(row, name)
        found = [by_crm_id[name.crm_id]] if name.crm_id in by_crm_id else by_email.get(name.email, [])
        if not found:
            outcome.reason = NameReason.UNKNOWN_CUSTOMER
        elif len(found) > 1:
            outcome.reason = NameReason.AMBIGUOUS_EMAIL
        else:
            outcome.customer = found[0]
            if found[0].pk in seen:
                outcome.reason = NameReason.NAMED_TWICE
            seen.add(found[0].pk)
        outcomes.append(outcome)
    return outcomes


def _in_wave(wave: Wave | None, ids: set[int]) -> dict[int, int]:
    """The invitations (by customer) that today's wave already has for these customers."""
    if wave is None or not ids:
        return {}
    rows = Invitation.objects.filter(wave=wave, customer_id__in=ids).values_list("customer_id", "pk")
    return dict(rows)
