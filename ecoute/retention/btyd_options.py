"""The numeric options of `ecoute btyd`, checked before any work: a clear message, never a traceback."""

import math
from dataclasses import dataclass

from django.utils.translation import gettext as _


class BtydError(Exception):
    """What stops `ecoute btyd`, in words for the user (a file, an option, the data)."""


# A period longer than a year, or a horizon beyond a century, is a typing mistake.
MOST_PERIOD_DAYS = 366.0
MOST_HORIZON_DAYS = 36_525.0


@dataclass(frozen=True)
class Numbers:
    period_days: float
    horizon: int
    discount_rate: float


def checked_numbers(period_days: str, horizon: str, discount_rate: str) -> Numbers:
    days = _number(period_days)
    if not (days is not None and 0 < days <= MOST_PERIOD_DAYS):
        raise BtydError(
            _("--period-days must be a number of days above 0 and at most %(most)d, not %(value)s.")
            % {"most": MOST_PERIOD_DAYS, "value": period_days}
        )
    periods = _number(horizon)
    if periods is None or periods != int(periods) or periods < 1:
        raise BtydError(
            _("--horizon must be a whole number of periods, at least 1, not %(value)s.") % {"value": horizon}
        )
    if periods * days > MOST_HORIZON_DAYS:
        raise BtydError(
            _("--horizon of %(horizon)s periods of %(days)s days reaches beyond a hundred years.")
            % {"horizon": horizon, "days": period_days}
        )
    rate = _number(discount_rate)
    if not (rate is not None and 0 <= rate < 1):
        raise BtydError(
            _(
                "--discount-rate must be a rate per period from 0 to less than 1 (0.01 for one per cent), "
                "not %(value)s."
            )
            % {"value": discount_rate}
        )
    return Numbers(days, int(periods), rate)


def _number(text: str) -> float | None:
    """A finite number written with a point or a comma, or None."""
    try:
        value = float(str(text).strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None
