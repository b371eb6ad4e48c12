"""Which lost and at-risk customers a page, an export or a reactivation campaign is about: the ONE
definition of a retention segment, its filters and each customer's bands.

    segment = RetentionSegment.from_query(request.GET)   # bad values are dropped, each with a message
    segment.customers(organization)                      # QuerySet[Customer], annotated, in SQL
    segment.to_query() · segment.to_json() · RetentionSegment.from_json(data) · segment.describe()

A customer's bands, as the annotations of `customers()` compute them:
- status: at risk or lost (CustomerStatus);
- recency: days since the last purchase (Customer.last_purchase_at), under 3 months, 3–6, 6–12,
  1–2 years, over 2 years;
- value: what they spent in their last year as a customer, from 365 days before their last purchase
  on (refunds netted, a refund after it too; the organization's currency only), on a ladder of amounts;
- clv: what they would be worth over the scores' horizon had they stayed, CLV / P(alive) from their
  stored score (a lifetime model's expected value is P(alive) × the value of a customer still active),
  on the same ladder, or "not scored";
- store: the store of their last purchase; region: the customer's; nps: the level of their latest
  NPS answer, or "none" when they never gave one.
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any, Self
from urllib.parse import urlencode

from django.db.models import (
    Case,
    DateTimeField,
    F,
    FloatField,
    Func,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer, Transaction
from ecoute.lib.quantities import money
from ecoute.listening.audiences import NO_LEVEL, latest_nps_level
from ecoute.listening.responses import NpsLevel
from ecoute.retention.models import SLIPPING, ActivityStatus

MAX_TEXT = 100  # a store's or a region's longest name
BLANK = "-"  # in a query string: the customers with no store (or no region)

STATUSES: dict[str, tuple[str, ...]] = {
    "both": tuple(SLIPPING),
    ActivityStatus.AT_RISK: (ActivityStatus.AT_RISK,),
    ActivityStatus.LOST: (ActivityStatus.LOST,),
}

# (code, first day included) from the most recent; the last band has no end.
RECENCY_BANDS = (("0-3m", 0), ("3-6m", 91), ("6-12m", 183), ("1-2y", 365), ("2y+", 730))
RECENCY_LABELS = {
    "0-3m": gettext_lazy("less than 3 months ago"),
    "3-6m": gettext_lazy("3 to 6 months ago"),
    "6-12m": gettext_lazy("6 to 12 months ago"),
    "1-2y": gettext_lazy("1 to 2 years ago"),
    "2y+": gettext_lazy("more than 2 years ago"),
}
# The ladder of amounts, in the organization's currency, of the value bands (past year and CLV).
VALUE_STEPS = (100, 500, 2000)
VALUE_BANDS = ("under-100", "100-500", "500-2000", "2000-plus")
UNSCORED = "unscored"
NPS_LEVELS = (*NpsLevel.values, NO_LEVEL)

# The dimensions a page groups the segment by: the annotation holding each customer's band.
DIMENSIONS = {
    "value": "value_band",
    "clv": "clv_band",
    "recency": "recency_band",
    "status": "slipping_status",
    "store": "last_store",
    "region": "region",
    "nps": "nps_level",
}
DIMENSION_LABELS = {
    "value": gettext_lazy("Spent in their last year"),
    "clv": gettext_lazy("Value had they stayed"),
    "recency": gettext_lazy("Last purchase"),
    "status": gettext_lazy("Status"),
    "store": gettext_lazy("Store"),
    "region": gettext_lazy("Region"),
    "nps": gettext_lazy("Last NPS level"),
}
DEFAULT_DIMENSION = "value"


class SegmentError(ValueError):
    """A stored segment that cannot be read; `problems` names each bad key."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def value_band_label(code: str, currency: str) -> str:
    low, middle, high = (money(step, currency, 0) for step in VALUE_STEPS)
    labels = {
        "under-100": _("under %(amount)s") % {"amount": low},
        "100-500": _("%(low)s to %(high)s") % {"low": low, "high": middle},
        "500-2000": _("%(low)s to %(high)s") % {"low": middle, "high": high},
        "2000-plus": _("%(amount)s or more") % {"amount": high},
        UNSCORED: _("not scored"),
    }
    return labels.get(code, code)


def nps_label(code: str) -> str:
    return _("never answered") if code == NO_LEVEL else str(NpsLevel(code).label)


class YearBefore(Func):
    """365 days before a timestamp, in each database's own date arithmetic (Django's generic one
    calls a Python function on SQLite for every row compared)."""

    output_field = DateTimeField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # SQLite stores "YYYY-MM-DD HH:MM:SS[.ffffff]": datetime() writes the same, so text compares.
        return self.as_sql(compiler, connection, template="datetime(%(expressions)s, '-365 days')", **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="(%(expressions)s - INTERVAL '365 days')", **extra)


def _ladder(column: str) -> Case:
    steps = [
        When(**{f"{column}__lt": step}, then=Value(band))
        for step, band in zip(VALUE_STEPS, VALUE_BANDS, strict=False)
    ]
    return Case(*steps, default=Value(VALUE_BANDS[-1]))


def _slipping_customers(organization: Organization, statuses: tuple[str, ...]) -> QuerySet[Customer]:
    """The organization's customers of `statuses`, each with the columns the bands are made of."""
    now = timezone.now()
    last_store = (
        Transaction.objects.purchases()
        .filter(customer=OuterRef("pk"))
        .order_by("-occurred_at", "-id")
        .values("store")[:1]
    )
    # Sales from a year before the last purchase on; summed once per customer, the band read from the
    # same sum (a Case over the subquery would run it once per step of the ladder).
    last_year = (
        Transaction.objects.filter(
            customer=OuterRef("pk"),
            currency=organization.currency,
            occurred_at__gt=YearBefore(OuterRef("last_purchase_at")),
        )
        .values("customer")
        .annotate(total=Sum("amount"))
    )
    # Each band holds the purchases more recent than the next band's first day.
    recency = [
        When(last_purchase_at__gt=now - timedelta(days=next_first), then=Value(code))
        for (code, _first), (_next, next_first) in pairwise(RECENCY_BANDS)
    ]
    customers = Customer.objects.for_org(organization).filter(activity_status__status__in=statuses)
    return customers.annotate(
        slipping_status=F("activity_status__status"),
        last_store=Coalesce(Subquery(last_store), Value("")),
        nps_level=Coalesce(latest_nps_level(), Value(NO_LEVEL)),
        yearly_revenue=Coalesce(Subquery(last_year.values("total")), Value(Decimal(0))),
        p_alive=F("score__p_alive"),
        clv=F("score__clv"),
        clv_low=F("score__clv_low"),
        clv_high=F("score__clv_high"),
        value_stayed=F("score__clv") / NullIf(F("score__p_alive"), Value(0.0), output_field=FloatField()),
        recency_band=Case(*recency, default=Value(RECENCY_BANDS[-1][0])),
        value_band=Coalesce(
            Subquery(last_year.annotate(band=_ladder("total")).values("band")), Value(VALUE_BANDS[0])
        ),
        clv_band=Case(When(value_stayed__isnull=True, then=Value(UNSCORED)), default=_ladder("value_stayed")),
    )


def dimension_from_query(query: Mapping[str, Any]) -> str:
    """The dimension a page groups the segment by (`by=`), the default one for a missing or odd value."""
    wanted = query.get("by")
    return wanted if isinstance(wanted, str) and wanted in DIMENSIONS else DEFAULT_DIMENSION


# The filters: query-string key → the codes it accepts (None: a store's or region's name).
CHOICES: dict[str, tuple[str, ...] | None] = {
    "status": tuple(STATUSES),
    "store": None,
    "region": None,
    "value": VALUE_BANDS,
    "clv": (*VALUE_BANDS, UNSCORED),
    "recency": tuple(code for code, _first in RECENCY_BANDS),
    "nps": NPS_LEVELS,
}
FIELD_NAMES = {
    "status": gettext_lazy("status"),
    "store": gettext_lazy("store"),
    "region": gettext_lazy("region"),
    "value": gettext_lazy("spent in their last year"),
    "clv": gettext_lazy("value had they stayed"),
    "recency": gettext_lazy("last purchase"),
    "nps": gettext_lazy("last NPS level"),
}


def _read(key: str, value: object) -> tuple[str | None, str | None]:
    """(the filter's value, None) or (None, what is wrong with it)."""
    if not isinstance(value, str):
        return None, _("a text is expected.")
    choices = CHOICES[key]
    if choices is not None:
        if value not in choices:
            return None, _("expected one of: %(choices)s.") % {"choices": ", ".join(choices)}
        return value, None
    if len(value) > MAX_TEXT or "\x00" in value:
        return None, _("at most %(count)s characters, without NUL.") % {"count": MAX_TEXT}
    return value, None


@dataclass(frozen=True)
class RetentionSegment:
    """Lost and at-risk customers narrowed by filters; None is "any". A blank store or region ("")
    is the customers who have none."""

    status: str = "both"
    store: str | None = None
    region: str | None = None
    value: str | None = None
    clv: str | None = None
    recency: str | None = None
    nps: str | None = None
    problems: tuple[str, ...] = field(default=(), compare=False, repr=False)
    """What `from_query` left out and why, in the reader's language."""

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> Self:
        """The segment a query string asks for (a QueryDict or a dict); a bad value is left out and
        named in `problems`, never raised."""
        found: dict[str, Any] = {}
        problems: list[str] = []
        for key in CHOICES:
            given = query.get(key)
            if given is None or (isinstance(given, str) and not given.strip()):
                continue
            text = given.strip() if isinstance(given, str) else given
            if key in {"store", "region"} and text == BLANK:
                text = ""
            value, problem = _read(key, text)
            if problem is not None:
                shown = str(given)[:40]
                problems.append(
                    _("The filter %(field)s “%(value)s” is left out: %(reason)s")
                    % {"field": FIELD_NAMES[key], "value": shown, "reason": problem}
                )
            elif value is not None:
                found[key] = value
        return cls(**found, problems=tuple(problems))

    @classmethod
    def from_json(cls, data: object) -> Self:
        """The segment stored as `to_json()` gave it; SegmentError names every bad key."""
        if not isinstance(data, dict):
            raise SegmentError([_("A segment is an object {…}.")])
        problems = [
            _("%(key)s: unknown key; expected one of: %(keys)s.") % {"key": key, "keys": ", ".join(CHOICES)}
            for key in data
            if key not in CHOICES
        ]
        found: dict[str, Any] = {}
        for key in CHOICES:
            if key in data and data[key] is not None:
                value, problem = _read(key, data[key])
                if problem is not None:
                    problems.append(_("%(key)s: %(reason)s") % {"key": key, "reason": problem})
                elif value is not None:
                    found[key] = value
        if problems:
            raise SegmentError(problems)
        return cls(**found)

    def to_json(self) -> dict[str, str]:
        """The filters that are set, as JSON to store (a campaign's target)."""
        return {key: value for key, value in asdict(self).items() if key in CHOICES and value is not None}

    def to_query(self) -> str:
        """The query string of the filters that are set (no leading "?"); from_query reads it back."""
        pairs = [
            (key, BLANK if key in {"store", "region"} and value == "" else value)
            for key, value in self.to_json().items()
            if not (key == "status" and value == "both")
        ]
        return urlencode(pairs)

    def narrowed(self, **filters: Any) -> "RetentionSegment":
        """This segment with more filters (a row of a page's table: the segment and that row's band)."""
        return replace(self, **filters)

    @property
    def filters(self) -> int:
        """How many filters narrow the lost and at-risk customers."""
        return sum(
            1
            for item in fields(self)
            if item.name in CHOICES and item.name != "status" and getattr(self, item.name) is not None
        )

    def customers(self, organization: Organization) -> QuerySet[Customer]:
        """The organization's customers in the segment, annotated with their bands and figures
        (slipping_status, last_store, nps_level, yearly_revenue, p_alive, clv, clv_low, clv_high,
        value_stayed, recency_band, value_band, clv_band), the most valuable had they stayed first."""
        customers = _slipping_customers(organization, STATUSES[self.status])
        wanted = {
            "last_store__iexact": self.store,
            "region__iexact": self.region,
            "value_band": self.value,
            "clv_band": self.clv,
            "recency_band": self.recency,
            "nps_level": self.nps,
        }
        customers = customers.filter(**{key: value for key, value in wanted.items() if value is not None})
        return customers.order_by(F("value_stayed").desc(nulls_last=True), "pk")

    def describe(self, currency: str = "EUR") -> str:
        """The segment in one sentence of the reader's language."""
        subject = {
            "both": _("Lost or at-risk customers"),
            ActivityStatus.AT_RISK: _("At-risk customers"),
            ActivityStatus.LOST: _("Lost customers"),
        }[self.status]
        parts = []
        if self.store is not None:
            parts.append(
                _("whose last purchase was in the store “%(store)s”") % {"store": self.store}
                if self.store
                else _("whose last purchase names no store")
            )
        if self.region is not None:
            parts.append(
                _("of the region “%(region)s”") % {"region": self.region}
                if self.region
                else _("with no region")
            )
        if self.value is not None:
            parts.append(
                _("who spent %(band)s in their last year") % {"band": value_band_label(self.value, currency)}
            )
        if self.clv is not None:
            parts.append(
                _("not scored yet")
                if self.clv == UNSCORED
                else _("worth %(band)s had they stayed") % {"band": value_band_label(self.clv, currency)}
            )
        if self.recency is not None:
            parts.append(_("who last bought %(when)s") % {"when": RECENCY_LABELS[self.recency]})
        if self.nps is not None:
            parts.append(str(NPS_PHRASES[self.nps]))
        if not parts:
            return _("%(subject)s.") % {"subject": subject}
        # "Lost customers of the region “Bretagne”, who last bought 1 to 2 years ago."
        return _("%(subject)s %(conditions)s.") % {"subject": subject, "conditions": ", ".join(parts)}


NPS_PHRASES = {
    NpsLevel.PROMOTER: pgettext_lazy("segment", "promoters by their last NPS answer"),
    NpsLevel.PASSIVE: pgettext_lazy("segment", "passives by their last NPS answer"),
    NpsLevel.DETRACTOR: pgettext_lazy("segment", "detractors by their last NPS answer"),
    NO_LEVEL: pgettext_lazy("segment", "who never gave an NPS answer"),
}
