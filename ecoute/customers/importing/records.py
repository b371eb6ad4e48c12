"""Records sent to the API, read by the importer like the rows of a file."""

from collections.abc import Iterator
from typing import Any

from ecoute.customers.importing.field_spec import FieldSpec


class RecordsTable:
    """Records sent to the API, read like a file: a column per field the records name, mapped to its
    field by its exact name (nothing is guessed), then a column per key of their `attributes`, left
    unmapped, so that a customers import keeps them as CRM fields."""

    def __init__(self, records: list[dict[str, Any]], fields: tuple[FieldSpec, ...]) -> None:
        sent = {key for record in records for key in record}
        # Only the fields sent are written: a record that leaves a field out does not erase it.
        self._names = [spec.name for spec in fields if spec.name in sent]
        self._extra = sorted({key for record in records for key in record.get("attributes") or {}})
        self.headers = self._names + self._extra
        by_name = {spec.name: spec for spec in fields}
        self.columns = {index: by_name[name] for index, name in enumerate(self._names)}
        self._records = records

    def rows(self, *, ragged: str = "keep") -> Iterator[tuple[int, list[Any]]]:
        for number, record in enumerate(self._records, start=1):
            attributes = record.get("attributes") or {}
            yield (
                number,
                [_api_cell(record.get(name)) for name in self._names]
                + [attributes.get(k) for k in self._extra],
            )

    def __enter__(self) -> "RecordsTable":
        return self

    def __exit__(self, *_exc: object) -> None:
        return None


def _api_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "1" if value else "0"
    return value
