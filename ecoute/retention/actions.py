"""Retention operations that write across models, each inside one transaction."""

from datetime import datetime

from django.db import transaction
from django.forms import ModelForm
from django.utils import timezone
from django.utils.translation import gettext as _

from ecoute.accounts.models import Organization, User
from ecoute.customers.models import Channel, Consent, Purpose
from ecoute.retention.campaign_launch import CampaignLaunchError, LaunchReport, launch
from ecoute.retention.models import CallOutcome, Campaign, CampaignMember, CampaignStatus, RetentionRules
from ecoute.retention.statuses import StatusReport, recompute_statuses


def recompute_organization_statuses(organization: Organization, now: datetime | None = None) -> StatusReport:
    """Recompute every customer's status and note when, so that the scheduled task knows it is done."""
    now = now or timezone.now()
    with transaction.atomic():
        report = recompute_statuses(organization, now)
        rules, _ = RetentionRules.objects.get_or_create(organization=organization)
        rules.statuses_computed_at = now
        rules.save(update_fields=["statuses_computed_at"])
    return report


def save_rules(rules: RetentionRules) -> None:
    """Save the organization's rules; statuses follow them at the next recomputation."""
    rules.save()


def launch_campaign(campaign: Campaign, by: User | None = None, now: datetime | None = None) -> LaunchReport:
    """Launch the campaign: members snapshotted and split, actions queued for the treatment group, in
    one transaction (see campaign_launch.py)."""
    return launch(campaign, now or timezone.now(), by)


def save_campaign_draft(form: ModelForm[Campaign]) -> Campaign:
    """Save the form's changes to a draft, under the lock a launch takes: CampaignLaunchError, writing
    nothing, when the campaign was launched meanwhile (its members are already what it was)."""
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=form.instance.pk)
        if locked.status != CampaignStatus.DRAFT:
            raise CampaignLaunchError(_("This campaign is launched: it can no longer be changed."))
        return form.save()


@transaction.atomic
def record_call_outcome(member: CampaignMember, outcome: str, note: str, by: User | None) -> None:
    """An agent's call with a treatment member; one who asks not to be called again has their phone
    consent to marketing withdrawn."""
    member.outcome, member.outcome_note = outcome, note.strip()[:500]
    member.contacted_at, member.contacted_by = timezone.now(), by
    member.save(update_fields=["outcome", "outcome_note", "contacted_at", "contacted_by"])
    if outcome == CallOutcome.DO_NOT_CALL:
        Consent.objects.create(
            organization_id=member.organization_id,
            customer_id=member.customer_id,
            channel=Channel.PHONE,
            purpose=Purpose.MARKETING,
            granted=False,
            recorded_at=member.contacted_at,
            source="campaign call",
        )
