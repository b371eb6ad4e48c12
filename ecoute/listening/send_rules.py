"""Contact pressure checked again when a soliciting message leaves the outbox, not only when planned.

Registered with the outbox's send rules when the app starts. Between planning and sending, other
messages may have gone out (a campaign, another survey's reminder): a message that would now exceed
the budget or come too soon after another is cancelled with the reason; one that falls in quiet time
waits for the end of it. The message being sent and the invitation it carries are left out of the
counts, so that an invitation does not count against itself (nor its reminder against its own
invitation). Only an organization's own policy applies here: every organization gets one when it is
created (and existing ones by migration); one without, made by hand, is held to nothing at send time.
"""

from datetime import timedelta

from django.utils import timezone

from ecoute.customers.models import Customer
from ecoute.listening.contact_policy import (
    INVITATION_REF,
    AlwaysQuietError,
    Besides,
    next_allowed_time,
    solicitations_since,
    solicited_since,
)
from ecoute.listening.models import ContactPolicy, SkipReason
from ecoute.messaging.models import Message
from ecoute.messaging.send_rules import Refusal


def _invitation_of(message: Message) -> int | None:
    ref = message.subject_ref
    return (
        int(ref.removeprefix(INVITATION_REF))
        if ref.startswith(INVITATION_REF) and ref[11:].isdigit()
        else None
    )


def contact_pressure(message: Message) -> Refusal | None:
    """Refuse a soliciting message that the organization's contact policy does not allow now."""
    if not message.solicits or message.customer_id is None:
        return None
    policy = ContactPolicy.objects.filter(organization_id=message.organization_id).first()
    if policy is None:
        return None
    now = timezone.now()
    try:
        allowed = next_allowed_time(policy, now)
    except AlwaysQuietError:
        return Refusal(SkipReason.QUIET)
    if allowed != now:
        return Refusal(SkipReason.QUIET, retry_at=allowed)
    besides = Besides(invitation_id=_invitation_of(message), message_id=message.pk)
    customer = Customer.objects.filter(pk=message.customer_id).annotate(
        solicitations=solicitations_since(now - timedelta(days=policy.per_days), besides)
    )
    if customer.filter(solicitations__gte=policy.max_solicitations).exists():
        return Refusal(SkipReason.PRESSURE)
    if policy.min_gap_days:
        recent = solicited_since(now - timedelta(days=policy.min_gap_days), besides)
        if customer.filter(recent).exists():
            return Refusal(SkipReason.GAP)
    return None
