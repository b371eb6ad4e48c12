"""Who a campaign targets: a segment of lost and at-risk customers (ecoute/retention/segments.py),
stored in the campaign's `audience` as the segment's JSON:

    {"status": "both", "store": "Lyon", "region": "Bretagne", "value": "500-2000"}

The campaign form sets the statuses, the store and the region; a campaign started from the lost
customers page keeps the page's other filters (value, value had they stayed, recency, NPS level).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer
from ecoute.retention.models import SLIPPING
from ecoute.retention.segments import STATUSES, RetentionSegment, SegmentError

TARGETED = tuple(str(status) for status in SLIPPING)
# The segment's filters a campaign form does not show, carried from the lost customers page.
NARROWING = ("value", "clv", "recency", "nps")


class CampaignAudienceError(ValueError):
    """The audience JSON does not read: the message says which field and why."""


@dataclass(frozen=True)
class CampaignAudience:
    segment: RetentionSegment = field(default_factory=RetentionSegment)

    @classmethod
    def from_json(cls, data: object) -> "CampaignAudience":
        try:
            return cls(RetentionSegment.from_json(data))
        except SegmentError as error:
            raise CampaignAudienceError(" ".join(error.problems)) from error

    @classmethod
    def from_fields(
        cls, statuses: Sequence[str], store: str, region: str, narrowing: Mapping[str, Any]
    ) -> "CampaignAudience":
        """The audience of the campaign form: its statuses (none or both: both), store and region
        (blank: any), and the filters carried from the lost customers page."""
        if any(status not in TARGETED for status in statuses):
            raise CampaignAudienceError(_("statuses: choose at risk, lost or both."))
        chosen = [status for status in TARGETED if status in statuses]
        data: dict[str, Any] = {"status": chosen[0] if len(chosen) == 1 else "both"}
        data |= {key: narrowing[key] for key in NARROWING if narrowing.get(key)}
        if store.strip():
            data["store"] = store.strip()
        if region.strip():
            data["region"] = region.strip()
        return cls.from_json(data)

    @property
    def statuses(self) -> tuple[str, ...]:
        return tuple(str(status) for status in STATUSES[self.segment.status])

    @property
    def store(self) -> str:
        return self.segment.store or ""

    @property
    def region(self) -> str:
        return self.segment.region or ""

    def narrowing(self) -> dict[str, str]:
        return {key: value for key, value in self.segment.to_json().items() if key in NARROWING}

    def to_json(self) -> dict[str, Any]:
        return dict(self.segment.to_json())

    def customers(self, organization: Organization) -> QuerySet[Customer]:
        """The organization's customers in this audience now."""
        return self.segment.customers(organization)

    def snapshot(self, organization: Organization) -> list[tuple[int, str, str, str]]:
        """Each customer of the audience now: id, status, store of their last purchase, region."""
        rows = (
            self.customers(organization)
            .order_by("pk")
            .values_list("pk", "slipping_status", "region", "last_store")  # type: ignore[misc]  # annotations of RetentionSegment.customers
        )
        return [(pk, status, region or "", store or "") for pk, status, region, store in rows]

    def describe(self) -> str:
        return self.segment.describe()
