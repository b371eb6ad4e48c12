"""Which column of the file feeds which field: guessed from the headers, corrected by the user."""

from collections.abc import Sequence

from ecoute.customers.importing.field_spec import FieldSpec
from ecoute.customers.importing.problems import ImportFileError
from ecoute.lib.columns import guess_mapping, normalize_header, parse_mapping_overrides

# The mapping's name for "keep this column as a CRM field": the key the API sends them under.
CRM_FIELD = "attributes"


def is_crm_choice(field: str) -> bool:
    return normalize_header(field) == CRM_FIELD


def without_crm_choices(
    overrides: Sequence[str], chosen: dict[str, str] | None
) -> tuple[list[str], dict[str, str] | None]:
    """The overrides and choices with the CRM-field ones turned into "left out of the fields"."""
    plain = [
        f"{column}=" if is_crm_choice(field) else spec
        for spec in overrides
        for column, _equals, field in [spec.rpartition("=")]
    ]
    if chosen is None:
        return plain, None
    return plain, {position: "" if name == CRM_FIELD else name for position, name in chosen.items()}


def guess_columns(
    headers: list[str],
    fields: tuple[FieldSpec, ...],
    overrides: list[str] | None = None,
    chosen: dict[str, str] | None = None,
) -> dict[int, FieldSpec]:
    """Column index → field. `overrides` are "COLUMN=field" strings (command line); `chosen` maps a
    column's position (as text, JSON keys being text) to a field, "" to leave the column out (web
    form), so that files with blank or repeated headers can be mapped; both win over the guess. A column
    chosen as a CRM field feeds no field (see crm_fields.py)."""
    overrides, chosen = without_crm_choices(overrides or [], chosen)
    fixed, errors = parse_mapping_overrides(overrides or [], headers, [spec.name for spec in fields])
    if errors:
        raise ImportFileError(errors[0].code, **errors[0].params)
    by_name = {spec.name: spec for spec in fields}
    for position, name in (chosen or {}).items():
        index = int(position)
        if not 0 <= index < len(headers):
            continue
        if name and name not in by_name:
            raise ImportFileError("unknown_field", field=name, available=", ".join(by_name))
        fixed[index] = name or None
    names = [name for name in fixed.values() if name]
    if duplicate := next((name for name in names if names.count(name) > 1), None):
        raise ImportFileError("duplicate_field", field=str(by_name[duplicate].label))
    guessed = guess_mapping(headers, {spec.name: spec.synonyms for spec in fields}, overrides=fixed)
    return {index: by_name[name] for index, name in sorted(guessed.items())}


def missing_fields(columns: dict[int, FieldSpec], fields: tuple[FieldSpec, ...]) -> list[FieldSpec]:
    mapped = {spec.name for spec in columns.values()}
    return [spec for spec in fields if spec.required and spec.name not in mapped]


def resolve_mapping(
    headers: list[str],
    fields: tuple[FieldSpec, ...],
    overrides: list[str] | None = None,
    chosen: dict[str, str] | None = None,
) -> dict[int, FieldSpec]:
    """The mapping to import with; ImportFileError when a required field has no column."""
    columns = guess_columns(headers, fields, overrides, chosen)
    if missing := missing_fields(columns, fields):
        raise ImportFileError(
            "missing_columns",
            count=len(missing),
            fields=", ".join(str(spec.label) for spec in missing),
            found=", ".join(headers),
        )
    return columns
