"""The lost-customers page's tables as the reader writes them: each segment's row with its link, its
sums of money with their intervals, and each customer's figures."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ecoute.analytics.interval_sums import SummedInterval
from ecoute.customers.models import Customer
from ecoute.lib.quantities import grouped, money
from ecoute.retention.customer_outlook import chance
from ecoute.retention.lost_customers import SegmentFigures
from ecoute.retention.models import ActivityStatus
from ecoute.retention.segments import (
    FIELD_NAMES,
    NPS_LEVELS,
    RECENCY_LABELS,
    UNSCORED,
    VALUE_BANDS,
    RetentionSegment,
    nps_label,
    value_band_label,
)


@dataclass(frozen=True)
class Amount:
    value: str
    interval: str


@dataclass(frozen=True)
class SegmentRow:
    label: str
    query: str
    """The query string of the segment narrowed to this row; "" for the total row."""
    customers: str
    spent_last_year: str
    value_stayed: Amount
    value_won_back: Amount


def band_label(dimension: str, band: str, currency: str) -> str:
    if dimension in {"value", "clv"}:
        return value_band_label(band, currency)
    if dimension == "recency":
        return str(RECENCY_LABELS.get(band, band))
    if dimension == "status":
        return str(ActivityStatus(band).label) if band in ActivityStatus.values else band
    if dimension == "nps":
        return nps_label(band)
    if not band:
        return _("no store") if dimension == "store" else _("no region")
    return band


def interval_text(low: str, high: str) -> str:
    return _("%(low)s to %(high)s") % {"low": low, "high": high}


def summed_amount(summed: SummedInterval, currency: str) -> Amount:
    """ "12 300 €" with "9 800 € to 15 100 €"; a dash when no customer of the group is scored."""
    if not summed.values:
        return Amount("—", "")
    value = money(summed.estimate, currency, 0)
    if summed.without_interval == summed.values:  # "1 200 € to 1 200 €" would claim a certainty
        return Amount(value, _("no interval"))
    interval = interval_text(money(summed.low, currency, 0), money(summed.high, currency, 0))
    if summed.without_interval:
        interval = ngettext(
            "%(interval)s, %(count)s customer without an interval",
            "%(interval)s, %(count)s customers without an interval",
            summed.without_interval,
        ) % {"interval": interval, "count": grouped(summed.without_interval)}
    return Amount(value, interval)


def segment_row(
    figures: SegmentFigures, dimension: str, segment: RetentionSegment | None, currency: str
) -> SegmentRow:
    """A group's row; `segment` the page's, narrowed to the group for its link (None: the total)."""
    label = _("All") if segment is None else band_label(dimension, figures.band, currency)
    # The dimensions are named as the filters are.
    query = "" if segment is None else segment.narrowed(**{dimension: figures.band}).to_query()
    return SegmentRow(
        label=label,
        query=query,
        customers=grouped(figures.customers),
        spent_last_year=money(figures.spent_last_year, currency, 0),
        value_stayed=summed_amount(figures.value_stayed, currency),
        value_won_back=summed_amount(figures.value_won_back, currency),
    )


@dataclass(frozen=True)
class CustomerRow:
    customer: Customer
    status: str
    status_code: str
    spent_last_year: str
    p_alive: str
    clv: Amount


def customer_row(customer: Any, currency: str) -> CustomerRow:
    """A customer of `RetentionSegment.customers()`, with the annotations it carries."""
    clv = Amount("—", "")
    if customer.clv is not None:
        interval = ""
        if customer.clv_low is not None and customer.clv_high is not None:
            interval = interval_text(
                money(customer.clv_low, currency, 0), money(customer.clv_high, currency, 0)
            )
        clv = Amount(money(customer.clv, currency, 0), interval)
    return CustomerRow(
        customer=customer,
        status=str(ActivityStatus(customer.slipping_status).label),
        status_code=customer.slipping_status,
        spent_last_year=money(customer.yearly_revenue, currency, 0),
        p_alive="—" if customer.p_alive is None else chance(customer.p_alive),
        clv=clv,
    )


@dataclass(frozen=True)
class FilterField:
    name: str
    label: str
    options: list[tuple[str, str, bool]]
    """(code, label, selected); the first option, code "", is "any"."""


def filter_choices(segment: RetentionSegment, currency: str) -> list[FilterField]:
    """The page's select filters, each with its bands and the one the segment has."""
    statuses = [
        ("both", _("lost or at risk")),
        (ActivityStatus.AT_RISK.value, str(ActivityStatus.AT_RISK.label)),
        (ActivityStatus.LOST.value, str(ActivityStatus.LOST.label)),
    ]
    bands = {
        "value": [(code, value_band_label(code, currency)) for code in VALUE_BANDS],
        "clv": [(code, value_band_label(code, currency)) for code in (*VALUE_BANDS, UNSCORED)],
        "recency": [(code, str(RECENCY_LABELS[code])) for code in RECENCY_LABELS],
        "nps": [(code, nps_label(code)) for code in NPS_LEVELS],
    }
    fields = [
        FilterField(
            "status", str(FIELD_NAMES["status"]), [(c, lb, c == segment.status) for c, lb in statuses]
        )
    ]
    for name, options in bands.items():
        current = getattr(segment, name)
        fields.append(
            FilterField(
                name,
                str(FIELD_NAMES[name]),
                [("", _("any"), current is None), *[(c, lb, c == current) for c, lb in options]],
            )
        )
    return fields
