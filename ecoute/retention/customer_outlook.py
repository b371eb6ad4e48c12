"""One customer's retention figures for their page, and the sentence a manager reads first:
"Bought 6 times, last in March; 18% chance still active"."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ecoute.customers.models import Customer, Transaction
from ecoute.lib.quantities import grouped, money
from ecoute.retention.figures import percent
from ecoute.retention.models import CustomerScore, CustomerStatus
from ecoute.retention.scores import HORIZON_PERIODS


@dataclass(frozen=True)
class Figure:
    value: str
    interval: str


@dataclass(frozen=True)
class CustomerOutlook:
    sentence: str
    status: str
    status_code: str
    p_alive: Figure | None
    expected_purchases: Figure | None
    clv: Figure | None
    horizon_weeks: int
    scored_at: datetime | None


def _figure(value: float, low: float | None, high: float | None, write: Callable[[float], str]) -> Figure:
    """A value with its 95 % interval, both written by `write`."""
    if low is None or high is None:
        return Figure(write(value), "")
    interval = _("%(low)s to %(high)s") % {"low": write(low), "high": write(high)}
    return Figure(write(value), _("95%% interval: %(interval)s") % {"interval": interval})


def _last_purchase(last: datetime) -> str:
    local = timezone.localtime(last)
    same_year = local.year == timezone.localtime().year
    return formats.date_format(local, "F" if same_year else "F Y")


def purchase_history(count: int, month: str) -> str:
    """ "Bought 6 times, last in March", "Bought once, in March"."""
    if count == 1:
        return _("Bought once, in %(month)s") % {"month": month}
    return ngettext(
        "Bought %(count)s time, last in %(month)s", "Bought %(count)s times, last in %(month)s", count
    ) % {"count": grouped(count), "month": month}


def chance(p_alive: float) -> str:
    """A chance as a manager reads it, to the whole percent: "18 %", "less than 1 %"."""
    if p_alive < 0.005:
        return _("less than %(value)s") % {"value": percent(1, 0)}
    if p_alive > 0.995:
        return _("more than %(value)s") % {"value": percent(99, 0)}
    return percent(100 * p_alive, 0)


def customer_outlook(customer: Customer) -> CustomerOutlook | None:
    """None for a customer who never bought."""
    bought = (
        Transaction.objects.filter(customer=customer)
        .purchases()
        .aggregate(count=Count("pk"), last=Max("occurred_at"))
    )
    if not bought["count"]:
        return None
    sentence = purchase_history(bought["count"], _last_purchase(bought["last"]))
    score = CustomerScore.objects.filter(customer=customer).first()
    status = CustomerStatus.objects.filter(customer=customer).first()
    p_alive = expected = clv = None
    if score is not None:
        sentence = _("%(history)s; %(chance)s chance still active") % {
            "history": sentence,
            "chance": chance(score.p_alive),
        }
        currency = customer.organization.currency
        p_alive = _figure(score.p_alive, score.p_alive_low, score.p_alive_high, lambda p: percent(100 * p))
        expected = _figure(
            score.expected_purchases,
            score.expected_purchases_low,
            score.expected_purchases_high,
            lambda n: grouped(n, 1),
        )
        if score.clv is not None:
            clv = _figure(score.clv, score.clv_low, score.clv_high, lambda v: money(v, currency, 0))
    return CustomerOutlook(
        sentence=sentence + ".",
        status=str(status.get_status_display()) if status else "",
        status_code=status.status if status else "",
        p_alive=p_alive,
        expected_purchases=expected,
        clv=clv,
        horizon_weeks=HORIZON_PERIODS,
        scored_at=score.computed_at if score else None,
    )
