"""Putting invitations and their reminders in the outbox.

An invitation planned for a customer becomes one e-mail (purpose: survey invitation), and, when the
survey sets `reminder_after_days`, at most one reminder, only while the customer has not answered and
the link has not expired. Both solicit (they count against the organization's contact pressure) and
are checked against the customer's consent to surveys by e-mail again when they leave.
"""

from datetime import datetime, timedelta
from itertools import batched

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ecoute.accounts.models import Organization
from ecoute.customers.models import Channel, Purpose
from ecoute.listening.invitation_email import invitation_email
from ecoute.listening.models import Invitation, InvitationStatus, Survey, SurveyStatus
from ecoute.messaging.actions import MessageDraft, queue_messages
from ecoute.messaging.models import MessagePurpose

# Not answered yet: reminded once their first e-mail has left.
CHUNK = 1000
AWAITING_ANSWER = (InvitationStatus.SENT, InvitationStatus.OPENED, InvitationStatus.STARTED)


def queue_invitations(
    invitations: QuerySet[Invitation], now: datetime | None = None, send_after: datetime | None = None
) -> int:
    """Queue the e-mail of each planned invitation among `invitations`, to leave at `send_after` at the
    earliest (a wave moved out of quiet hours); returns how many were queued. A thousand at a time, so
    that a wave of any size keeps memory and query parameters bounded."""
    now = now or timezone.now()
    planned = invitations.filter(status=InvitationStatus.PLANNED).exclude(customer__email="")
    queued = 0
    with transaction.atomic():
        ids = list(planned.order_by("pk").values_list("pk", flat=True))
        for chunk in batched(ids, CHUNK, strict=False):
            found = Invitation.objects.filter(pk__in=chunk)
            batch = list(found.select_related("customer", "organization", "survey"))
            for invitation in batch:
                days = invitation.survey.expires_after_days
                invitation.expires_at = invitation.expires_at or (send_after or now) + timedelta(days=days)
            Invitation.objects.bulk_update(batch, ["expires_at"])
            by_organization: dict[int, list[Invitation]] = {}
            for invitation in batch:  # each e-mail filed under its own invitation's organization
                by_organization.setdefault(invitation.organization_id, []).append(invitation)
            for group in by_organization.values():
                drafts = [_draft(invitation, reminder=False, send_after=send_after) for invitation in group]
                queued += queue_messages(group[0].organization, drafts)
            Invitation.objects.filter(pk__in=chunk).update(status=InvitationStatus.QUEUED)
    return queued


def queue_due_reminders(organization: Organization | None = None, *, now: datetime | None = None) -> int:
    """Queue the reminder of every invitation whose survey's delay has passed since its e-mail left,
    still unanswered and unexpired, of one organization or of all; each invitation is reminded once.
    Returns how many were queued. Workers call it from their housekeeping, and `ecoute outbox send`
    before each pass (registered with the outbox's due work), so that installs run from cron remind too."""
    now = now or timezone.now()
    queued = 0
    surveys = Survey.objects.filter(reminder_after_days__isnull=False).exclude(status=SurveyStatus.CLOSED)
    if organization is not None:
        surveys = surveys.filter(organization=organization)
    for survey in surveys.select_related("organization"):
        due = (
            Invitation.objects.filter(
                survey=survey,
                status__in=AWAITING_ANSWER,
                reminded_at__isnull=True,
                sent_at__lte=now - timedelta(days=survey.reminder_after_days or 0),
                expires_at__gt=now,
            )
            .exclude(response__completed_at__isnull=False)
            .exclude(customer__email="")
        )
        with transaction.atomic():
            batch = list(
                due.select_related("customer", "organization", "survey").select_for_update(of=("self",))
            )
            if not batch:
                continue
            queued += queue_messages(
                survey.organization, [_draft(invitation, reminder=True) for invitation in batch]
            )
            Invitation.objects.filter(pk__in=[i.pk for i in batch]).update(reminded_at=now)
    return queued


def remind_when_due() -> bool:
    """Housekeeping for workers (settings.WORKER_HOUSEKEEPING): queue the reminders that fell due."""
    return queue_due_reminders() > 0


def _draft(invitation: Invitation, *, reminder: bool, send_after: datetime | None = None) -> MessageDraft:
    email = invitation_email(invitation, reminder=reminder)
    kind = "reminder" if reminder else "invitation"
    return {
        "to_address": invitation.customer.email,
        "customer": invitation.customer,
        "language": email.language,
        "purpose": MessagePurpose.SURVEY_REMINDER if reminder else MessagePurpose.SURVEY_INVITATION,
        "solicits": True,
        "consent_channel": Channel.EMAIL,
        "consent_purpose": Purpose.SURVEYS,
        "subject": email.subject,
        "text_body": email.text,
        "html_body": email.html,
        "idempotency_key": f"survey-{kind}:{invitation.pk}",
        "subject_ref": f"invitation:{invitation.pk}",
        "send_after": send_after,
    }
