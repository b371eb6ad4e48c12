"""Who a survey asks: its audience, read from `Survey.audience` and compiled to one SQL query.

A relationship survey asks a segment, in waves; a transactional survey follows events:

    {"segment": {
        "tags": ["vip"],                            # has at least one of these tags
        "attributes": {"fidelite": ["or", "argent"]},  # CRM fields: equal to the value (or one of them)
        "region": ["Bretagne"],
        "store": ["Rennes"],                        # store of the last purchase
        "last_purchase": {"from": "2026-01-01", "to": "2026-06-30", "min_days_ago": 30, "max_days_ago": 365},
        "purchases": {"min": 2, "max": 10},
        "consent": {"channel": "email", "purpose": "panel"},  # granted now (true: surveys by e-mail)
        "nps_level": ["detractor", "none"]}}        # level of the latest NPS answer; none: never answered

    {"trigger": {"event": "interaction", "kind": "support_ticket", "after_days": 2, "within_days": 7}}

An empty audience is every customer of the organization. A trigger's event is due `after_days` days
after it happened and stays due for `within_days` more days; each event is asked about at most once
(`Invitation.trigger_ref`, unique with the survey). Everything compiles to one queryset of customers,
so that planning evaluates the contact rules on the same set in SQL, never customer by customer.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat
from django.db.models.lookups import In
from django.utils.translation import gettext as _

from ecoute.customers.models import (
    PURCHASE,
    Channel,
    Consent,
    Customer,
    Interaction,
    InteractionKind,
    Purpose,
    Transaction,
)
from ecoute.listening.models import Invitation, Response, Survey, SurveyKind
from ecoute.listening.responses import NpsLevel

SEGMENT_KEYS = ("tags", "attributes", "region", "store", "last_purchase", "purchases", "consent", "nps_level")
TRIGGER_KEYS = ("event", "kind", "after_days", "within_days")
EVENTS = ("transaction", "interaction")
NO_LEVEL = "none"
DEFAULT_WITHIN_DAYS = 7


class AudienceError(ValueError):
    """The audience cannot be used; `problems` says which key is wrong and why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Segment:
    tags: tuple[str, ...] = ()
    attributes: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    regions: tuple[str, ...] = ()
    stores: tuple[str, ...] = ()
    purchase_from: date | None = None
    purchase_to: date | None = None
    min_days_ago: int | None = None
    max_days_ago: int | None = None
    purchases_min: int | None = None
    purchases_max: int | None = None
    consent: tuple[str, str] | None = None
    nps_levels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Trigger:
    event: str
    kind: str = ""
    after_days: int = 0
    within_days: int = DEFAULT_WITHIN_DAYS


type Audience = Segment | Trigger


class _Reader:
    """Reads the JSON and collects every problem, each naming the path of its key."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: str, reason: str) -> None:
        where = f"audience.{path}" if path else "audience"
        self.problems.append(_("%(path)s: %(reason)s") % {"path": where, "reason": reason})

    def keys(self, path: str, value: object, allowed: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(path, _("an object {…} is expected."))
            return {}
        for key in value:
            if key not in allowed:
                self.fail(
                    f"{path}.{key}" if path else key,
                    _("unknown key; expected one of: %(keys)s.") % {"keys": ", ".join(allowed)},
                )
        return {key: item for key, item in value.items() if key in allowed}

    def texts(self, path: str, value: object, choices: tuple[str, ...] = ()) -> tuple[str, ...]:
        items = [value] if isinstance(value, str) else value
        if (
            not isinstance(items, list)
            or not items
            or not all(isinstance(i, str) and i.strip() for i in items)
        ):
            self.fail(path, _("a text or a non-empty list of texts is expected."))
            return ()
        for item in items:
            if choices and item not in choices:
                self.fail(
                    path,
                    _("“%(value)s” is not one of: %(choices)s.")
                    % {"value": item, "choices": ", ".join(choices)},
                )
        return tuple(i.strip() for i in items)

    def whole(self, path: str, value: object, low: int = 0) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or value < low or value > 100_000:
            self.fail(path, _("a whole number from %(low)s is expected.") % {"low": low})
            return None
        return value

    def day(self, path: str, value: object) -> date | None:
        try:
            return date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            pass
        self.fail(path, _("a date written YYYY-MM-DD is expected."))
        return None


def read_audience(data: object, kind: str = SurveyKind.RELATIONSHIP) -> Audience:
    """The audience described by `data` (Survey.audience), or AudienceError naming every bad key."""
    reader = _Reader()
    top = reader.keys("", data if data != {} else {"segment": {}}, ("segment", "trigger"))
    if len(top) != 1 and not reader.problems:
        reader.fail("", _("give either “segment” or “trigger”, not both."))
    audience: Audience = Segment()
    if "segment" in top:
        if kind == SurveyKind.TRANSACTIONAL:
            reader.fail("segment", _("a transactional survey follows a trigger, not a segment."))
        audience = _read_segment(reader, top["segment"])
    elif "trigger" in top:
        if kind != SurveyKind.TRANSACTIONAL:
            reader.fail("trigger", _("only a transactional survey follows a trigger."))
        audience = _read_trigger(reader, top["trigger"])
    if reader.problems:
        raise AudienceError(reader.problems)
    return audience


def _read_segment(reader: _Reader, value: object) -> Segment:
    given = reader.keys("segment", value, SEGMENT_KEYS)
    found: dict[str, Any] = {}
    if "tags" in given:
        found["tags"] = reader.texts("segment.tags", given["tags"])
    if "region" in given:
        found["regions"] = reader.texts("segment.region", given["region"])
    if "store" in given:
        found["stores"] = reader.texts("segment.store", given["store"])
    if "attributes" in given:
        fields = given["attributes"]
        if not isinstance(fields, dict) or not fields:
            reader.fail("segment.attributes", _("an object of CRM fields and their values is expected."))
        else:
            found["attributes"] = {}
            for name, wanted in fields.items():
                if "__" in name or not name.strip():
                    # Django would read a double underscore as a path into the field.
                    reader.fail(f"segment.attributes.{name}", _("a CRM field name without “__”."))
                    continue
                values = wanted if isinstance(wanted, list) else [wanted]
                if not values or not all(isinstance(v, str | int | float | bool) for v in values):
                    reader.fail(
                        f"segment.attributes.{name}", _("a value or a non-empty list of values is expected.")
                    )
                found["attributes"][name] = tuple(values)
    if "last_purchase" in given:
        period = reader.keys(
            "segment.last_purchase", given["last_purchase"], ("from", "to", "min_days_ago", "max_days_ago")
        )
        for key, attr in (("from", "purchase_from"), ("to", "purchase_to")):
            if key in period:
                found[attr] = reader.day(f"segment.last_purchase.{key}", period[key])
        for key in ("min_days_ago", "max_days_ago"):
            if key in period:
                found[key] = reader.whole(f"segment.last_purchase.{key}", period[key])
    if "purchases" in given:
        bounds = reader.keys("segment.purchases", given["purchases"], ("min", "max"))
        for key in ("min", "max"):
            if key in bounds:
                found[f"purchases_{key}"] = reader.whole(f"segment.purchases.{key}", bounds[key])
    if "consent" in given:
        found["consent"] = _read_consent(reader, given["consent"])
    if "nps_level" in given:
        levels = (*NpsLevel.values, NO_LEVEL)
        found["nps_levels"] = reader.texts("segment.nps_level", given["nps_level"], levels)
    return Segment(**found)


def _read_consent(reader: _Reader, value: object) -> tuple[str, str] | None:
    if value is True:
        return (Channel.EMAIL, Purpose.SURVEYS)
    wanted = reader.keys("segment.consent", value, ("channel", "purpose"))
    channel, purpose = wanted.get("channel", Channel.EMAIL), wanted.get("purpose", Purpose.SURVEYS)
    if channel not in Channel.values:
        reader.fail(
            "segment.consent.channel", _("one of: %(choices)s.") % {"choices": ", ".join(Channel.values)}
        )
    if purpose not in Purpose.values:
        reader.fail(
            "segment.consent.purpose", _("one of: %(choices)s.") % {"choices": ", ".join(Purpose.values)}
        )
    return (channel, purpose)


def _read_trigger(reader: _Reader, value: object) -> Trigger:
    given = reader.keys("trigger", value, TRIGGER_KEYS)
    event = given.get("event")
    if event not in EVENTS:
        reader.fail("trigger.event", _("one of: %(choices)s.") % {"choices": ", ".join(EVENTS)})
    kind = given.get("kind", "")
    if kind and (event != "interaction" or kind not in InteractionKind.values):
        reader.fail(
            "trigger.kind",
            _("for an interaction only, one of: %(choices)s.")
            % {"choices": ", ".join(InteractionKind.values)},
        )
    after_days = reader.whole("trigger.after_days", given.get("after_days", 0))
    within_days = reader.whole("trigger.within_days", given.get("within_days", DEFAULT_WITHIN_DAYS), low=1)
    return Trigger(str(event), str(kind), after_days or 0, within_days or DEFAULT_WITHIN_DAYS)


def latest_nps_level() -> Subquery:
    """The level of the customer's latest NPS answer (blank when they never gave one)."""
    return Subquery(
        Response.objects.filter(customer=OuterRef("pk"))
        .exclude(nps_level="")
        .order_by("-started_at", "-id")
        .values("nps_level")[:1]
    )


def consent_granted(
    channel: str = Channel.EMAIL, purpose: str = Purpose.SURVEYS, *, customer: str = "pk"
) -> Subquery:
    """The current consent for (channel, purpose) of the customer the outer query's `customer` field
    names: the latest row's `granted`, or NULL."""
    return Subquery(
        Consent.objects.filter(customer=OuterRef(customer), channel=channel, purpose=purpose)
        .order_by("-recorded_at", "-id")
        .values("granted")[:1]
    )


def segment_conditions(segment: Segment, now: datetime) -> Q:
    """The segment as one SQL condition on customers."""
    conditions = Q()
    if segment.tags:
        tagged = Customer.tags.through.objects.filter(customer_id=OuterRef("pk"), tag__name__in=segment.tags)
        conditions &= Q(Exists(tagged))
    for name, values in segment.attributes.items():
        conditions &= Q(**{f"attributes__{name}__in": list(values)})
    if segment.regions:
        conditions &= Q(region__in=segment.regions)
    if segment.stores:
        last_store = (
            Transaction.objects.purchases()
            .filter(customer=OuterRef("pk"))
            .order_by("-occurred_at", "-id")
            .values("store")[:1]
        )
        conditions &= Q(In(Subquery(last_store), list(segment.stores)))
    if segment.purchase_from:
        conditions &= Q(last_purchase_at__gte=datetime.combine(segment.purchase_from, time(), now.tzinfo))
    if segment.purchase_to:
        conditions &= Q(
            last_purchase_at__lt=datetime.combine(segment.purchase_to + timedelta(days=1), time(), now.tzinfo)
        )
    if segment.min_days_ago is not None:
        conditions &= Q(last_purchase_at__lte=now - timedelta(days=segment.min_days_ago))
    if segment.max_days_ago is not None:
        conditions &= Q(last_purchase_at__gte=now - timedelta(days=segment.max_days_ago))
    if segment.purchases_min is not None:
        conditions &= Q(purchases_count__gte=segment.purchases_min)
    if segment.purchases_max is not None:
        conditions &= Q(purchases_count__lte=segment.purchases_max)
    return conditions


def audience_customers(survey: Survey, now: datetime) -> QuerySet[Any]:
    """The customers the survey would ask now, as one queryset, each with its `trigger_ref` (the event
    a transactional survey follows, blank for a wave). Raises AudienceError on a bad audience."""
    audience = read_audience(survey.audience, survey.kind)
    customers: QuerySet[Any] = Customer.objects.filter(organization_id=survey.organization_id)
    if isinstance(audience, Trigger):
        events = due_events(survey, audience, now)
        latest = (
            events.filter(customer=OuterRef("pk")).order_by("-occurred_at", "-id").values("trigger_ref")[:1]
        )
        due: QuerySet[Any] = customers.annotate(trigger_ref=Subquery(latest))
        return due.filter(Exists(events.filter(customer=OuterRef("pk"))))
    customers = customers.filter(segment_conditions(audience, now)).annotate(trigger_ref=Value(""))
    if audience.consent:
        customers = customers.alias(segment_consent=consent_granted(*audience.consent)).filter(
            segment_consent=True
        )
    if audience.nps_levels:
        level = Q(nps_level__in=[lv for lv in audience.nps_levels if lv != NO_LEVEL])
        if NO_LEVEL in audience.nps_levels:
            level |= Q(nps_level=None)
        customers = customers.alias(nps_level=latest_nps_level()).filter(level)
    return customers


def due_events(survey: Survey, trigger: Trigger, now: datetime) -> QuerySet[Any]:
    """The events of the trigger that are due now and that the survey has not yet asked about, each with
    its `trigger_ref` ("transaction:<its id>")."""
    newest = now - timedelta(days=trigger.after_days)
    model: type[Transaction] | type[Interaction] = (
        Transaction if trigger.event == "transaction" else Interaction
    )
    events: QuerySet[Any] = model.objects.filter(
        organization_id=survey.organization_id,
        occurred_at__lte=newest,
        occurred_at__gt=newest - timedelta(days=trigger.within_days),
    )
    if trigger.event == "transaction":
        events = events.filter(PURCHASE)  # a refund is not a purchase to ask about
    if trigger.kind:
        events = events.filter(kind=trigger.kind)
    events = events.annotate(trigger_ref=Concat(Value(f"{trigger.event}:"), "external_id"))
    asked = Invitation.objects.filter(survey=survey, trigger_ref=OuterRef("trigger_ref"))
    return events.filter(~Exists(asked))
