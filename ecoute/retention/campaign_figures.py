"""A campaign's figures as the reader writes them: the report's sentence, rates with n and interval,
money, and the power calculation shown before launch."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ecoute.analytics.lift import MINIMUM_GROUP, Lift, Power, RevenueDifference
from ecoute.lib.quantities import grouped, money
from ecoute.retention.campaign_results import Comparison
from ecoute.retention.figures import percent

SIGNIFICANCE = 0.05


def points(value: float) -> str:
    """A difference of rates in percentage points: "+4,2 pts"."""
    sign = "+" if value > 0 else ("\N{MINUS SIGN}" if value < 0 else "")
    return _("%(sign)s%(value)s pts") % {"sign": sign, "value": grouped(abs(value) * 100, 1)}


def p_value_text(p_value: float) -> str:
    if p_value < 0.001:
        return _("p < %(value)s") % {"value": grouped(0.001, 3)}
    return _("p = %(value)s") % {"value": grouped(p_value, 3)}


def not_enough(lift: Lift) -> str:
    return _(
        "Not enough customers to tell: %(treatment)s in the campaign and %(control)s in the control "
        "group; at least %(minimum)s in each are needed."
    ) % {
        "treatment": grouped(lift.treatment_n),
        "control": grouped(lift.control_n),
        "minimum": grouped(MINIMUM_GROUP),
    }


def answer(comparison: Comparison, currency: str) -> str:
    """The report as one answer: "The campaign brought back 41 customers more than doing nothing, ± 18,
    worth 3 200 € ± 1 400 €." and whether that could be chance."""
    lift, revenue = comparison.lift, comparison.revenue
    if lift.too_small or lift.lift is None or lift.low is None or lift.high is None or lift.p_value is None:
        return not_enough(lift)
    customers = round(lift.lift * lift.treatment_n)
    margin = grouped(round((lift.high - lift.low) / 2 * lift.treatment_n))
    count = abs(customers)
    if customers >= 0:
        text = ngettext(
            "The campaign brought back %(count)s customer more than doing nothing, ± %(margin)s",
            "The campaign brought back %(count)s customers more than doing nothing, ± %(margin)s",
            count,
        )
    else:
        text = ngettext(
            "The campaign brought back %(count)s customer fewer than doing nothing, ± %(margin)s",
            "The campaign brought back %(count)s customers fewer than doing nothing, ± %(margin)s",
            count,
        )
    sentence = text % {"count": grouped(count), "margin": margin}
    if (
        revenue.attributed is not None
        and revenue.attributed_low is not None
        and revenue.attributed_high is not None
    ):
        half = (revenue.attributed_high - revenue.attributed_low) / 2
        sentence = _("%(sentence)s, worth %(amount)s ± %(margin)s.") % {
            "sentence": sentence,
            "amount": money(
                round(revenue.attributed, -2) if abs(revenue.attributed) >= 1000 else revenue.attributed,
                currency,
                0,
            ),
            "margin": money(round(half, -2) if half >= 1000 else half, currency, 0),
        }
    else:
        sentence = _("%(sentence)s.") % {"sentence": sentence}
    if lift.p_value < SIGNIFICANCE:
        chance = _("A difference this large is unlikely to be chance (%(p)s).")
    else:
        chance = _("A difference this small could be chance (%(p)s).")
    return f"{sentence} {chance % {'p': p_value_text(lift.p_value)}}"


@dataclass(frozen=True)
class GroupFigures:
    name: str
    n: str
    rate: str
    interval: str
    revenue: str


def group_rows(comparison: Comparison, currency: str) -> list[GroupFigures]:
    from ecoute.analytics.proportions import wilson

    lift, revenue = comparison.lift, comparison.revenue
    rows = []
    for name, successes, n, mean in (
        (_("Campaign"), lift.treatment_successes, lift.treatment_n, revenue.treatment_mean),
        (_("Control group"), lift.control_successes, lift.control_n, revenue.control_mean),
    ):
        estimate = wilson(successes, n)
        # An empty group has no rate: Wilson's 0–100 % would read as a finding.
        interval = (
            ""
            if estimate.estimate is None
            else _("%(low)s–%(high)s%%")
            % {"low": grouped(estimate.low, 1), "high": grouped(estimate.high, 1)}
        )
        rows.append(
            GroupFigures(
                name,
                grouped(n),
                percent(estimate.estimate) if estimate.estimate is not None else "—",
                interval,
                money(mean, currency) if mean is not None else "—",
            )
        )
    return rows


@dataclass(frozen=True)
class Figure:
    value: str
    interval: str


def lift_figure(lift: Lift) -> Figure:
    if lift.lift is None or lift.low is None or lift.high is None:
        return Figure("—", "")
    interval = _("%(low)s to %(high)s") % {"low": points(lift.low), "high": points(lift.high)}
    return Figure(points(lift.lift), interval)


def attributed_figure(revenue: RevenueDifference, currency: str) -> Figure:
    if revenue.attributed is None:
        return Figure("—", "")
    amount = money(revenue.attributed, currency, 0)
    if revenue.attributed_low is None or revenue.attributed_high is None:
        return Figure(amount, "")
    interval = _("%(low)s to %(high)s") % {
        "low": money(revenue.attributed_low, currency, 0),
        "high": money(revenue.attributed_high, currency, 0),
    }
    return Figure(amount, interval)


def power_text(power: Power) -> str:
    """Before launch: the smallest lift these groups can show, and a warning when they are too small."""
    audience = power.treatment_n + power.control_n
    if audience == 0:
        return _("No customer is in this audience now: the campaign could tell nothing.")
    if power.minimum_detectable_lift is None:  # one group is empty: nothing to compare
        return ngettext(
            "With %(count)s customer in the audience, one of the two groups would be empty: the "
            "campaign could not be compared with doing nothing.",
            "With %(count)s customers in the audience, one of the two groups would be empty: the "
            "campaign could not be compared with doing nothing.",
            audience,
        ) % {"count": grouped(audience)}
    groups = ngettext(
        "With %(treatment)s customer in the campaign and %(control)s in the control group",
        "With %(treatment)s customers in the campaign and %(control)s in the control group",
        power.treatment_n,
    ) % {"treatment": grouped(power.treatment_n), "control": grouped(power.control_n)}
    baseline = percent(power.baseline * 100)
    if power.minimum_detectable_lift >= 1:  # more than every customer coming back: no lift shows
        return _(
            "%(groups)s, and %(baseline)s coming back anyway, the campaign could not detect even a "
            "lift of 100 points."
        ) % {"groups": groups, "baseline": baseline}
    return _(
        "%(groups)s, and %(baseline)s coming back anyway, the campaign can detect a lift of %(lift)s "
        "or more (5%% level, power 80%%)."
    ) % {"groups": groups, "baseline": baseline, "lift": points(power.minimum_detectable_lift)}
