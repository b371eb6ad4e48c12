"""The call list of a campaign: its treatment members who have a phone, each with whether they may be
called now. A customer whose latest phone × marketing consent is withdrawn, or who asked not to be
contacted at all, stays on the list with what was recorded, but without a number to dial."""

from django.db.models import Exists, OuterRef, QuerySet

from ecoute.customers.models import Channel, Purpose
from ecoute.listening.audiences import consent_granted
from ecoute.messaging.models import Suppression
from ecoute.retention.campaign_models import Campaign, CampaignGroup, CampaignMember


def call_list(campaign: Campaign) -> QuerySet[CampaignMember]:
    """The members to call, annotated with `phone_consent` (the latest granted value, None without
    one) and `do_not_contact`; those not yet called first."""
    return (
        CampaignMember.objects.filter(campaign=campaign, group=CampaignGroup.TREATMENT)
        .exclude(customer__phone="")
        .select_related("customer")
        .annotate(
            phone_consent=consent_granted(Channel.PHONE, Purpose.MARKETING, customer="customer"),
            do_not_contact=Exists(Suppression.objects.do_not_contact().filter(customer=OuterRef("customer"))),
        )
        .order_by("outcome", "id")
    )


def may_call(member: CampaignMember) -> bool:
    """Whether `member` of `call_list()` may be called now."""
    return getattr(member, "phone_consent", None) is not False and not getattr(
        member, "do_not_contact", False
    )
