"""Which column of the file feeds which field: guessed from the headers, corrected by the user."""

from ecoute.customers.importing.fields import FieldSpec
from ecoute.customers.importing.problems import ImportFileError
from ecoute.lib.columns import guess_mapping, normalize_header


def resolve_mapping(
    headers: list[str],
    fields: tuple[FieldSpec, ...],
    overrides: list[str] | None = None,
    chosen: dict[str, str] | None = None,
) -> dict[int, FieldSpec]:
    """Column index → field. `overrides` are "COLUMN=field" strings (CLI); `chosen` maps header → field
    (web form, "" to ignore a column); both replace the guess for the columns they name."""
    by_name = {spec.name: spec for spec in fields}
    guessed = guess_mapping(headers, {spec.name: spec.synonyms for spec in fields})
    columns: dict[int, str] = dict(guessed)
    for spec_text in overrides or []:
        column, sep, name = spec_text.partition("=")
        if not sep:
            raise ImportFileError("bad_mapping", value=spec_text)
        _assign(columns, headers, column.strip(), name.strip(), by_name)
    for column, name in (chosen or {}).items():
        _assign(columns, headers, column, name, by_name, allow_none=True)
    missing = [str(spec.label) for spec in fields if spec.required and spec.name not in columns.values()]
    if missing:
        raise ImportFileError("missing_columns", fields=", ".join(missing), found=", ".join(headers))
    return {index: by_name[name] for index, name in sorted(columns.items())}


def _assign(
    columns: dict[int, str],
    headers: list[str],
    column: str,
    name: str,
    by_name: dict[str, FieldSpec],
    *,
    allow_none: bool = False,
) -> None:
    wanted = normalize_header(column)
    index = next((i for i, header in enumerate(headers) if normalize_header(header) == wanted), None)
    if index is None:
        raise ImportFileError("unknown_mapping_column", column=column)
    if not name and allow_none:
        columns.pop(index, None)
        return
    if name not in by_name:
        raise ImportFileError("unknown_mapping_field", field=name, fields=", ".join(by_name))
    for other, existing in list(columns.items()):
        if existing == name and other != index:
            del columns[other]  # a field is fed by one column: the user's choice wins
    columns[index] = name
