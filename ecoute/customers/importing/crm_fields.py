"""Which columns of a customers file are kept as the customer's CRM fields (their `attributes`).

A column is written only where its mapping says: a field, a CRM field (kept under its header), or
nowhere when it is ignored. A column that no field recognises is guessed to be a CRM field (the
extras of a CRM export: "Civilité", "Fidélité"), unless the file looks like another kind
(kind_guess.py) and that kind recognises the column ("N° ticket", "Montant TTC", "Magasin": a sales
file chosen as customers), which is guessed to be ignored. The guess is shown, and what is shown is
what is written.
"""

from collections.abc import Sequence

from ecoute.customers.importing.fields import FIELDS_BY_KIND
from ecoute.customers.importing.kind_guess import looks_like
from ecoute.customers.importing.mapping import CRM_FIELD
from ecoute.lib.columns import parse_mapping_overrides

KEPT_KIND = "customers"


def crm_field_columns(
    headers: Sequence[str],
    kind: str,
    mapped: set[int],
    *,
    overrides: Sequence[str] = (),
    chosen: dict[str, str] | None = None,
    rows: Sequence[Sequence[str]] = (),
) -> list[int]:
    """The positions of the columns kept as CRM fields: chosen so, or guessed so and not chosen otherwise."""
    if kind != KEPT_KIND:
        return []
    names = [spec.name for spec in FIELDS_BY_KIND[kind]]
    decided: dict[int, bool] = {}
    for spec in overrides:
        fixed, errors = parse_mapping_overrides([spec], headers, [*names, CRM_FIELD])
        if not errors:
            decided.update({column: field == CRM_FIELD for column, field in fixed.items()})
    for position, name in (chosen or {}).items():
        decided[int(position)] = name == CRM_FIELD
    other = looks_like(list(headers), rows, kind)
    elsewhere = other.columns if other is not None else frozenset()
    return [
        index
        for index in range(len(headers))
        if index not in mapped and decided.get(index, index not in elsewhere)
    ]
