"""Who a campaign targets: the one place that reads a campaign's `audience` JSON.

    {"statuses": ["at_risk", "lost"], "store": "Lyon", "region": "Bretagne"}

Customers whose current activity status is one of `statuses` (at risk, lost, or both), who live in
`region` when given, and whose last purchase was made in `store` when given. When retention segments
become the common way to describe a group of customers, this module is the single place to switch.
"""

from dataclasses import dataclass
from typing import Any, cast

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer, Transaction
from ecoute.lib.tenancy import OrgQuerySet
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
        """The organization's customers in this audience now."""
        found = Customer.objects.for_org(organization).filter(activity_status__status__in=self.statuses)
        if self.region:
            found = found.filter(region__iexact=self.region)
        if self.store:
            by_store = found.annotate(last_store=_last_store()).filter(last_store__iexact=self.store)
            found = cast("OrgQuerySet[Customer]", by_store)
        return found

    def snapshot(self, organization: Organization) -> list[tuple[int, str, str, str]]:
        """Each customer of the audience now: id, status, store of their last purchase, region."""
        rows = (
            self.customers(organization)
            .annotate(store_at_launch=_last_store())
            .order_by("pk")
            .values_list("pk", "activity_status__status", "region", "store_at_launch")
        )
        return [(pk, status, region or "", store or "") for pk, status, region, store in rows]

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


def _last_store() -> Subquery:
    """The store of the customer's last purchase."""
    return Subquery(
        Transaction.objects.purchases()
        .filter(customer=OuterRef("pk"))
        .order_by("-occurred_at", "-id")
        .values("store")[:1]
    )
