"""Launching a reactivation campaign, in one transaction: the audience is snapshotted as members, each
falls in the treatment or the control group by the campaign's hash, and the actions are queued for the
treatment group only (the control group is the "doing nothing" the lift is measured against).

E-mails are queued for treatment members who have an address, no do-not-contact, an address that
neither bounced nor complained, and a current marketing consent by e-mail now; the others are kept
with the reason. The outbox checks consent,
suppressions and contact pressure again when each e-mail leaves. The "why did you leave" survey
invites the treatment members through listening's own planning (its audience, consent to surveys,
pressure, gap and cooldown), so nothing here decides who may be asked.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower, Trim
from django.utils.translation import gettext as _

from ecoute.accounts.models import User
from ecoute.analytics.lift import in_control
from ecoute.customers.models import Channel, Purpose
from ecoute.listening.audiences import consent_granted
from ecoute.listening.models import SurveyStatus
from ecoute.listening.wave_actions import invite
from ecoute.messaging.actions import queue_messages
from ecoute.messaging.models import Suppression
from ecoute.retention.campaign_audience import CampaignAudience
from ecoute.retention.campaign_emails import EMAIL, PROGRAM, campaign_draft
from ecoute.retention.campaign_models import (
    Campaign,
    CampaignGroup,
    CampaignMember,
    CampaignStatus,
    MemberSkip,
)

BATCH = 1000


class CampaignLaunchError(Exception):
    """The campaign cannot be launched; the message says why, in the reader's language."""


@dataclass
class LaunchReport:
    treatment: int = 0
    control: int = 0
    emails_queued: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    survey_invited: int = 0


def launch(campaign: Campaign, now: datetime, by: User | None = None) -> LaunchReport:
    """Snapshot, split and queue (see the module's comment). CampaignLaunchError, writing nothing,
    when the campaign was launched already, its audience is empty or its survey is not active."""
    with transaction.atomic():
        # Only the campaign's row is locked: PostgreSQL locks no nullable side of a join (its survey).
        campaign = (
            Campaign.objects.select_for_update(of=("self",))
            .select_related("organization", "survey")
            .get(pk=campaign.pk)
        )
        if campaign.status != CampaignStatus.DRAFT:
            raise CampaignLaunchError(_("This campaign was launched already."))
        if campaign.survey is not None and campaign.survey.status != SurveyStatus.ACTIVE:
            raise CampaignLaunchError(
                _("The survey “%(survey)s” is not active: activate it or choose another.")
                % {"survey": campaign.survey.name}
            )
        organization = campaign.organization
        members = [
            CampaignMember(
                organization=organization,
                campaign=campaign,
                customer_id=pk,
                group=CampaignGroup.CONTROL
                if in_control(campaign.salt, pk, float(campaign.control_share))
                else CampaignGroup.TREATMENT,
                status_at_launch=status,
                store_at_launch=store[:100],
                region_at_launch=region,
            )
            for pk, status, region, store in CampaignAudience.from_json(campaign.audience).snapshot(
                organization
            )
        ]
        if not members:
            raise CampaignLaunchError(_("No customer is in this campaign’s audience now."))
        CampaignMember.objects.bulk_create(members, batch_size=BATCH)
        report = LaunchReport(
            treatment=sum(m.group == CampaignGroup.TREATMENT for m in members),
            control=sum(m.group == CampaignGroup.CONTROL for m in members),
        )
        treated = CampaignMember.objects.filter(campaign=campaign, group=CampaignGroup.TREATMENT)
        if campaign.email_enabled or campaign.program_enabled:
            _queue_emails(campaign, treated, report)
        if campaign.survey is not None:
            ids = list(treated.values_list("customer_id", flat=True))
            report.survey_invited = invite(campaign.survey, now, among=ids).invited
        campaign.status, campaign.launched_at = CampaignStatus.LAUNCHED, now
        campaign.save(update_fields=["status", "launched_at"])
    return report


def _queue_emails(campaign: Campaign, treated: QuerySet[CampaignMember], report: LaunchReport) -> None:
    members = (
        CampaignMember.objects.filter(pk__in=treated.values("pk"))
        .select_related("customer", "campaign__organization")
        .annotate(
            marketing=consent_granted(Channel.EMAIL, Purpose.MARKETING, customer="customer"),
            do_not_contact=Exists(Suppression.objects.do_not_contact().filter(customer=OuterRef("customer"))),
            # An address that bounced or complained is refused by the outbox: not worth queuing.
            suppressed=Exists(
                Suppression.objects.active().filter(
                    Q(customer=OuterRef("customer")) | Q(address=Lower(Trim(OuterRef("customer__email")))),
                    organization=campaign.organization,
                )
            ),
        )
        .order_by("pk")
    )
    kinds = [
        kind for kind, on in ((EMAIL, campaign.email_enabled), (PROGRAM, campaign.program_enabled)) if on
    ]
    skipped: list[CampaignMember] = []
    drafts = []
    for member in members:
        if not member.customer.email:
            member.skipped_reason = MemberSkip.NO_ADDRESS
        elif member.do_not_contact:
            member.skipped_reason = MemberSkip.DO_NOT_CONTACT
        elif member.suppressed:
            member.skipped_reason = MemberSkip.SUPPRESSED
        elif not member.marketing:
            member.skipped_reason = MemberSkip.NO_CONSENT
        else:
            drafts += [campaign_draft(member, kind) for kind in kinds]
            continue
        skipped.append(member)
        report.skipped[member.skipped_reason] += 1
    CampaignMember.objects.bulk_update(skipped, ["skipped_reason"], batch_size=BATCH)
    report.emails_queued = queue_messages(campaign.organization, drafts)
