"""The months the overview covers, as its query string asks: the last 12 or 24 months, all time, or from
one month to another (`?period=range&start=2023-01&end=2024-06`). A value that cannot be read falls back
to the last 24 months, and the page says so."""

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django import forms
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DEFAULT_MONTHS = 24
# A century of months: enough for any company's history, and a chart that stays drawable.
MOST_MONTHS = 1200
PERIOD_CHOICES = [
    ("12", gettext_lazy("Last 12 months")),
    ("24", gettext_lazy("Last 24 months")),
    ("all", gettext_lazy("All time")),
    ("range", gettext_lazy("From one month to another")),
]
MONTH = re.compile(r"(\d{4})-(\d{2})")


def _month_number(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month(number: int) -> date:
    return date(number // 12, number % 12 + 1, 1)


def month_label(month: date) -> str:
    """ "déc. 2024", "août 2025" in French, "Dec 2024" in English (Django's "M" would write "Déc", "Aoû")."""
    return formats.date_format(month, "N Y")


@dataclass(frozen=True)
class MonthSpan:
    """Whole months, from the first day of `first` to the end of `last`."""

    first: date
    last: date

    @classmethod
    def last_months(cls, count: int, today: date) -> "MonthSpan":
        this = _month_number(today)
        return cls(_month(this - count + 1), _month(this))

    @property
    def months(self) -> list[date]:
        return [_month(n) for n in range(_month_number(self.first), _month_number(self.last) + 1)]

    def start(self, zone: ZoneInfo) -> datetime:
        return datetime(self.first.year, self.first.month, 1, tzinfo=zone)

    def end(self, zone: ZoneInfo) -> datetime:
        """The first moment after the span."""
        after = _month(_month_number(self.last) + 1)
        return datetime(after.year, after.month, 1, tzinfo=zone)

    def label(self) -> str:
        if self.first == self.last:
            return month_label(self.first)
        return _("%(first)s – %(last)s") % {"first": month_label(self.first), "last": month_label(self.last)}


def _parse_month(value: str) -> date | None:
    found = MONTH.fullmatch(value.strip())
    # Years a company's data can hold: a month past the year 9999 could not be written as a date.
    if found is None or not 1 <= int(found[2]) <= 12 or not 1000 <= int(found[1]) <= 9000:
        return None
    return date(int(found[1]), int(found[2]), 1)


class PeriodForm(forms.Form):
    period = forms.ChoiceField(
        label=gettext_lazy("Period"), choices=PERIOD_CHOICES, required=False, initial=str(DEFAULT_MONTHS)
    )
    start = forms.CharField(
        label=gettext_lazy("From"),
        required=False,
        max_length=7,
        widget=forms.DateInput(attrs={"type": "month"}),
    )
    end = forms.CharField(
        label=gettext_lazy("To"),
        required=False,
        max_length=7,
        widget=forms.DateInput(attrs={"type": "month"}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def span(self, today: date, first_sale: date | None) -> tuple[MonthSpan, bool]:
        """The months asked for, and whether the request was understood (else the last 24 months)."""
        fallback = MonthSpan.last_months(DEFAULT_MONTHS, today)
        if not self.is_bound or not self.is_valid():
            return fallback, not self.is_bound
        match self.cleaned_data["period"]:
            case "" | "24":
                return fallback, True
            case "12":
                return MonthSpan.last_months(12, today), True
            case "all":
                first = min(first_sale or today, today)
                span = MonthSpan(_month(_month_number(first)), _month(_month_number(today)))
            case _:
                start, end = _parse_month(self.cleaned_data["start"]), _parse_month(self.cleaned_data["end"])
                if start is None or end is None or start > end:
                    return fallback, False
                span = MonthSpan(start, end)
        if len(span.months) > MOST_MONTHS:
            return MonthSpan(_month(_month_number(span.last) - MOST_MONTHS + 1), span.last), True
        return span, True
