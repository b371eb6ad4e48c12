"""Texts that speak to each customer: `{first_name}` placeholders, with a fallback for empty fields.

    Bonjour {first_name|cher client}, votre visite à {store} …

A placeholder names a customer field (first_name, last_name, company, city, region…) or a key of the
customer's CRM fields (`attributes`). When the field is empty or missing, the text after `|` is used,
or nothing (and the space before the placeholder goes too). `{{` and `}}` write a brace. A placeholder
naming a field that does not exist is refused when the survey is saved (`check_placeholders`), not
discovered when the e-mail goes out.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from ecoute.customers.models import Customer

# The customer's own columns a text may use (attributes add the CRM's fields).
CUSTOMER_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "email",
    "phone",
    "city",
    "region",
    "postcode",
    "country",
    "external_id",
    "language",
)

# A space before a placeholder goes with it when it renders empty: "Merci {first_name|} !" → "Merci !".
PLACEHOLDER = re.compile(
    r"\{\{|\}\}"  # a literal brace
    r"|(?P<space>[ \u00a0\u202f]?)\{(?P<name>[A-Za-z_][\w.-]*)(?:\|(?P<fallback>[^{}|]*))?\}"
)
_STRAY_BRACE = re.compile(r"[{}]")


@dataclass(frozen=True)
class Placeholder:
    name: str
    fallback: str | None


def placeholders(text: str) -> list[Placeholder]:
    return [
        Placeholder(match["name"], match["fallback"])
        for match in PLACEHOLDER.finditer(text)
        if match["name"] is not None
    ]


def check_placeholders(text: str, known_fields: Iterable[str]) -> list[str]:
    """What is wrong with the text's placeholders, as sentences in the active language; [] when fine."""
    known = set(known_fields)
    problems = []
    for placeholder in placeholders(text):
        if placeholder.name not in known:
            problems.append(
                _("{%(name)s} names no customer field or CRM field (known: %(known)s).")
                % {"name": placeholder.name, "known": _shown(known)}
            )
    stray = _STRAY_BRACE.search(PLACEHOLDER.sub("", text))
    if stray:
        problems.append(
            _("A brace “%(brace)s” opens or closes no placeholder: write {first_name} or {{ for a brace.")
            % {"brace": stray.group(0)}
        )
    return problems


def _shown(names: set[str], limit: int = 20) -> str:
    shown = sorted(names)
    return ", ".join(shown[:limit]) + (", …" if len(shown) > limit else "") if shown else "—"


def render(text: str, values: Mapping[str, object]) -> str:
    """The text with each placeholder replaced by its value, or its fallback when the value is empty."""

    def replace(match: re.Match[str]) -> str:
        if match["name"] is None:
            return match.group(0)[0]
        value = values.get(match["name"])
        text = ("" if value is None else str(value).strip()) or (match["fallback"] or "").strip()
        return f"{match['space']}{text}" if text else ""

    return PLACEHOLDER.sub(replace, text)


def customer_values(customer: "Customer") -> dict[str, object]:
    """The values a text may use for this customer: their CRM fields, then their own columns."""
    values: dict[str, object] = dict(customer.attributes or {})
    values.update({field: getattr(customer, field) for field in CUSTOMER_FIELDS})
    return values
