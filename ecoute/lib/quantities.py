"""Numbers as the reader writes them: grouped digits, a decimal comma in French, counted nouns.

Console messages, reports and pages all go through these, so that "2 000 clients" and "3,8 s" in
French read "2,000 customers" and "3.8 s" in English.
"""

from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def grouped(number: int | float | Decimal, decimals: int | None = None) -> str:
    """`number` in the active language, its thousands grouped: "12 345,6" in French."""
    return formats.number_format(number, decimals, use_l10n=True, force_grouping=True)


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
