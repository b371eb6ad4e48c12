"""Whether a file looks like another kind than the one chosen: a sales file chosen as customers, say.

Each kind is tried on the file: its columns recognised by name (the fields' synonyms) whose first values
also have the field's shape (an amount, a known kind of contact…). A kind fits when every field it
requires is found so. The file is said to look like another kind when that kind fits and recognises
clearly more columns than the chosen one (two more), or when the chosen kind does not fit at all.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecoute.customers.importing.cells import CellError, converter_for
from ecoute.customers.importing.field_spec import FieldSpec, ValueType
from ecoute.customers.importing.fields import FIELDS_BY_KIND
from ecoute.customers.importing.mapping import guess_columns
from ecoute.customers.models import ImportKind
from ecoute.lib.tabular_errors import InvalidValueError

# What a file of each kind holds, said in a sentence: "This file looks like sales".
CONTENTS: dict[str, Promise] = {
    "customers": gettext_lazy("a list of customers"),
    "consents": gettext_lazy("consents"),
    "transactions": gettext_lazy("sales"),
    "interactions": gettext_lazy("contacts with customers"),
    "loyalty-acts": gettext_lazy("acts of loyalty (reviews, referrals…)"),
}
CLEARLY_MORE = 2
_DATE_SHAPE = re.compile(r"\d{1,4}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,4}")


@dataclass(frozen=True)
class KindGuess:
    kind: str
    # The file's columns that kind recognises, with values of the right shape.
    columns: frozenset[int]

    @property
    def label(self) -> str:
        return str(ImportKind(self.kind).label)

    def sentence(self) -> str:
        return _("This file looks like %(contents)s: import it as %(kind)s?") % {
            "contents": CONTENTS[self.kind],
            "kind": ImportKind(self.kind).label,
        }


def _fits(spec: FieldSpec, values: list[str]) -> bool:
    """Whether most of the first values of a column have the shape of the field (a file being checked
    has bad rows: one of them does not make it another kind; empty values say nothing)."""
    shown = [value for value in values if value not in (None, "")]
    return sum(_has_shape(spec, value) for value in shown) * 2 >= len(shown)


def _has_shape(spec: FieldSpec, value: str) -> bool:
    if spec.type is ValueType.DATETIME:
        return bool(_DATE_SHAPE.search(str(value)))
    try:
        converter_for(spec)(value)
    except (CellError, InvalidValueError, ValueError, TypeError, AttributeError):
        return False
    return True


def _recognised(
    headers: list[str], rows: Sequence[Sequence[str]], fields: tuple[FieldSpec, ...]
) -> tuple[bool, frozenset[int]]:
    columns = guess_columns(headers, fields)
    good = {
        index
        for index, spec in columns.items()
        if _fits(spec, [row[index] for row in rows if index < len(row)])
    }
    found = {columns[index].name for index in good}
    return all(spec.name in found for spec in fields if spec.required), frozenset(good)


def looks_like(headers: list[str], rows: Sequence[Sequence[str]], chosen: str) -> KindGuess | None:
    """The kind the file looks like when it is not `chosen`, from its headers and first rows."""
    tried = {kind: _recognised(headers, rows, fields) for kind, fields in FIELDS_BY_KIND.items()}
    if chosen not in tried:
        return None
    chosen_fits, chosen_columns = tried[chosen]
    fitting = [(len(columns), kind) for kind, (fits, columns) in tried.items() if fits and kind != chosen]
    if not fitting:
        return None
    count, best = max(fitting)
    if count > len(chosen_columns) and (not chosen_fits or count >= len(chosen_columns) + CLEARLY_MORE):
        return KindGuess(best, tried[best][1])
    return None
