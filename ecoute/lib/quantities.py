"""Numbers as the reader writes them: grouped digits, a decimal comma in French, counted nouns.

Console messages, reports and pages all go through these, so that "2 000 clients" and "3,8 s" in
French read "2,000 customers" and "3.8 s" in English.
"""

import math
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from ecoute.lib.values import currency_decimals

# The signs readers know; any other currency is written with its ISO code.
CURRENCY_SIGNS = {"EUR": "€", "USD": "$", "GBP": "£"}
MINUS = "\N{MINUS SIGN}"
NO_BREAK_SPACE = "\N{NO-BREAK SPACE}"


def grouped(number: int | float | Decimal, decimals: int | None = None) -> str:
    """`number` in the active language, its thousands grouped: "12 345,6" in French; with `decimals`,
    rounded half up to them (Django's number_format alone would cut the digits it drops)."""
    if decimals is not None:
        number = Decimal(str(number)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return formats.number_format(number, decimals, use_l10n=True, force_grouping=True)


def significant(number: float, digits: int = 4) -> str:
    """`number` in the active language with `digits` significant digits: "1,011", "0,0001234",
    "10 257" (never in exponent notation)."""
    if not math.isfinite(number):
        return str(number)
    if number == 0:
        return grouped(0)
    magnitude = math.floor(math.log10(abs(number)))
    return grouped(number, max(0, digits - 1 - magnitude))


def money(amount: int | float | Decimal, currency: str = "EUR", decimals: int | None = None) -> str:
    """An amount as the reader writes money: "1 249,90 €" and "−15,00 €" in French, "€1,249.90" and
    "−€15.00" in English; `decimals` to round (0 for a revenue card), else the currency's own."""
    places = currency_decimals(currency) if decimals is None else decimals
    number = grouped(abs(Decimal(str(amount))), places)
    sign = MINUS if amount < 0 and number.strip("0,. \u00a0\u202f") else ""
    symbol = CURRENCY_SIGNS.get(currency.upper())
    if (get_language() or "fr")[:2] == "en":
        return f"{sign}{symbol}{number}" if symbol else f"{sign}{currency.upper()}{NO_BREAK_SPACE}{number}"
    return f"{sign}{number}{NO_BREAK_SPACE}{symbol or currency.upper()}"


def seconds(value: float) -> str:
    """A duration to a tenth of a second: "3,8 s"."""
    return _("%(seconds)s s") % {"seconds": grouped(value, 1)}


def days_late(days: int) -> str:
    return ngettext("%(count)s day late", "%(count)s days late", days) % {"count": grouped(days)}


def record_counts(counts: dict[str, int]) -> str:
    """What a set of rows holds, kind by kind: "2 000 clients, 1 transaction, 0 consentement"."""
    phrases = {
        "customers": lambda n: ngettext("%(count)s customer", "%(count)s customers", n),
        "transactions": lambda n: ngettext("%(count)s transaction", "%(count)s transactions", n),
        "consents": lambda n: ngettext("%(count)s consent", "%(count)s consents", n),
        "interactions": lambda n: ngettext("%(count)s interaction", "%(count)s interactions", n),
        "loyalty_acts": lambda n: ngettext("%(count)s loyalty act", "%(count)s loyalty acts", n),
        "imports": lambda n: ngettext("%(count)s import", "%(count)s imports", n),
    }
    return ", ".join(
        phrases[kind](number) % {"count": grouped(number)}
        for kind, number in counts.items()
        if kind in phrases
    )
