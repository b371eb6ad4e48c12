"""The organization's one budget of contact pressure, as SQL conditions on customers, and its quiet hours.

A solicitation is anything that asks something of a customer: a survey invitation (counted once it is
planned, at the time it was sent or else planned) and any outbox message marked `solicits` — a
reminder, a campaign's e-mail — at the time it was sent or else queued, unless it was cancelled,
suppressed or failed (a reminder the send-time rules held back asked nothing). An invitation's own
e-mail links back to it by `subject_ref` and is counted once, as the invitation. The conditions below
are correlated subqueries on the customer: planning evaluates them for a whole audience in one
statement.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce

from ecoute.accounts.models import Organization
from ecoute.listening.models import ContactPolicy, Invitation, InvitationStatus, Survey
from ecoute.messaging.models import Message, MessagePurpose, MessageStatus

NOT_SOLICITED = (MessageStatus.CANCELLED, MessageStatus.SUPPRESSED, MessageStatus.FAILED)
INVITATION_REF = "invitation:"
DAYS_IN_A_WEEK = 7


def policy_of(organization: Organization) -> ContactPolicy:
    """The organization's contact policy; the shipped defaults when it has none yet."""
    return ContactPolicy.objects.filter(organization=organization).first() or ContactPolicy(
        organization=organization
    )


@dataclass(frozen=True)
class Besides:
    """What a check at send time leaves out: the message being sent and the invitation it belongs to."""

    invitation_id: int | None = None
    message_id: int | None = None


NOTHING_BESIDES = Besides()


def _invitations_since(since: datetime, besides: Besides = NOTHING_BESIDES) -> QuerySet[Invitation]:
    sent_or_planned = Q(sent_at__gte=since) | Q(sent_at=None, created_at__gte=since)
    return (
        Invitation.objects.filter(customer=OuterRef("pk"))
        .filter(sent_or_planned)
        .exclude(status=InvitationStatus.SKIPPED)
        .exclude(status=InvitationStatus.REVOKED, sent_at=None)
        .exclude(pk=besides.invitation_id or 0)
    )


def _messages_since(since: datetime, besides: Besides = NOTHING_BESIDES) -> QuerySet[Message]:
    return (
        Message.objects.filter(customer=OuterRef("pk"), solicits=True)
        .filter(Q(sent_at__gte=since) | Q(sent_at=None, queued_at__gte=since))
        .exclude(status__in=NOT_SOLICITED)
        .exclude(purpose=MessagePurpose.SURVEY_INVITATION, subject_ref__startswith=INVITATION_REF)
        .exclude(pk=besides.message_id or 0)
    )


def _count(rows: QuerySet[Invitation] | QuerySet[Message]) -> Coalesce:
    counted = rows.order_by().values("customer").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def solicitations_since(since: datetime, besides: Besides = NOTHING_BESIDES) -> CombinedExpression:
    """How many times the customer was solicited since `since` (an expression on customers)."""
    return _count(_invitations_since(since, besides)) + _count(_messages_since(since, besides))


def solicited_since(since: datetime, besides: Besides = NOTHING_BESIDES) -> Q:
    """Whether the customer was solicited at all since `since` (a condition on customers)."""
    return Q(Exists(_invitations_since(since, besides))) | Q(Exists(_messages_since(since, besides)))


def invited_to_since(survey: Survey, since: datetime) -> Exists:
    """Whether the customer was invited to this survey since `since` (its cooldown)."""
    return Exists(_invitations_since(since).filter(survey=survey))


def in_quiet_time(policy: ContactPolicy, local: datetime) -> bool:
    if local.weekday() in (policy.quiet_days or []):
        return True
    start, end, now = policy.quiet_start, policy.quiet_end, local.time()
    if start == end:
        return False
    if start < end:
        return start <= now < end
    return now >= start or now < end  # quiet over midnight, 20:00 to 09:00 say


def next_allowed_time(policy: ContactPolicy, moment: datetime) -> datetime:
    """`moment` when it falls outside quiet hours and days in the organization's time zone, else the
    first moment after it that does (at the end of the quiet hours, or the next day that is not quiet)."""
    zone = ZoneInfo(policy.organization.time_zone)
    local = moment.astimezone(zone)
    for _step in range(3 * DAYS_IN_A_WEEK):
        if not in_quiet_time(policy, local):
            return local
        if local.weekday() in (policy.quiet_days or []):
            local = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), zone)
            continue
        day = local.date() if local.time() < policy.quiet_end else local.date() + timedelta(days=1)
        local = datetime.combine(day, policy.quiet_end, zone)
    raise AlwaysQuietError


class AlwaysQuietError(Exception):
    """Every day of the week is quiet: the organization's policy allows no moment to send."""
