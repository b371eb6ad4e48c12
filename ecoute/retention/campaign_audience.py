"""Who a campaign targets: the one place that reads a campaign's `audience` JSON.

    {"statuses": ["at_risk", "lost"], "store": "Lyon", "region": "Bretagne"}

Customers whose current activity status is one of `statuses` (at risk, lost, or both), who live in
`region` when given, and whose last purchase was made in `store` when given. When retention segments
become the common way to describe a group of customers, this module is the single place to switch.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer, Transaction
from ecoute.retention.models import SLIPPING, ActivityStatus

TARGETED = tuple(str(status) for status in SLIPPING)


class CampaignAudienceError(ValueError):
    """The audience JSON does not read: the message says which field and why."""


@dataclass(frozen=True)
class CampaignAudience:
    statuses: tuple[str, ...] = TARGETED
    store: str = ""
    region: str = ""

    @classmethod
    def from_json(cls, data: object) -> "CampaignAudience":
        if not isinstance(data, dict):
            raise CampaignAudienceError(_("The audience must be an object."))
        statuses = data.get("statuses", list(TARGETED))
        if not isinstance(statuses, list) or not statuses or any(s not in TARGETED for s in statuses):
            raise CampaignAudienceError(_("statuses: choose at risk, lost or both."))
        store, region = data.get("store", ""), data.get("region", "")
        if not isinstance(store, str) or not isinstance(region, str):
            raise CampaignAudienceError(_("store and region are texts."))
        ordered = tuple(s for s in TARGETED if s in statuses)
        return cls(ordered, store.strip()[:100], region.strip()[:100])

    def to_json(self) -> dict[str, Any]:
        return {"statuses": list(self.statuses), "store": self.store, "region": self.region}

    def customers(self, organization: Organization) -> QuerySet[Customer]:
        """The organization's customers in this audience now, each with `current_status` and
        `last_store` (the store of their last purchase)."""
        last_store = (
            Transaction.objects.purchases()
            .filter(customer=OuterRef("pk"))
            .order_by("-occurred_at", "-id")
            .values("store")[:1]
        )
        found = (
            Customer.objects.for_org(organization)
            .filter(activity_status__status__in=self.statuses)
            .annotate(current_status=F("activity_status__status"), last_store=Subquery(last_store))
        )
        if self.region:
            found = found.filter(region__iexact=self.region)
        if self.store:
            found = found.filter(last_store__iexact=self.store)
        return found

    def describe(self) -> str:
        statuses = " + ".join(str(ActivityStatus(s).label) for s in self.statuses)
        parts = [statuses]
        if self.region:
            parts.append(_("region %(region)s") % {"region": self.region})
        if self.store:
            parts.append(_("store %(store)s") % {"store": self.store})
        return ", ".join(parts)


def audience_of(data: object) -> CampaignAudience:
    return CampaignAudience.from_json(data)
