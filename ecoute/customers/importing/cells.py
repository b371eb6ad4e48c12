"""Turn one cell of an import file into the value stored, or say why it cannot be."""

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from ecoute.customers.importing.fields import FieldSpec, ValueType
from ecoute.lib.columns import normalize_header
from ecoute.lib.tabular_errors import InvalidValueError
from ecoute.lib.values import parse_bool, parse_decimal, parse_int

type Cell = str | float | int | date | datetime | None
type Converter = Callable[[Cell], Any]

_EMAIL = re.compile(r"^[^@\s;,<>]+@[^@\s;,<>]+\.[^@\s;,<>]+$")


class CellError(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def as_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # spreadsheets hand whole numbers as floats: 1042.0 is "1042"
    return str(value).strip()


def _text(spec: FieldSpec) -> Converter:
    limit = spec.max_length

    def convert(value: Cell) -> str:
        text = as_text(value)
        if limit and len(text) > limit:
            raise CellError("too_long", max_length=limit)
        return text

    return convert


def _email(spec: FieldSpec) -> Converter:
    def convert(value: Cell) -> str:
        text = as_text(value).lower()
        if text and not _EMAIL.match(text):
            raise CellError("invalid_email")
        if len(text) > spec.max_length:
            raise CellError("too_long", max_length=spec.max_length)
        return text

    return convert


def _from_reader(parse: Callable[[Any], Any]) -> Converter:
    def convert(value: Cell) -> Any:
        if value is None or value == "":
            return None
        try:
            return parse(value)
        except InvalidValueError as error:
            raise CellError(error.code, **error.params) from None

    return convert


def _choice(spec: FieldSpec) -> Converter:
    accepted = {normalize_header(k): v for k, v in spec.choices.items()}
    listed = ", ".join(sorted(set(spec.choices.values())))

    def convert(value: Cell) -> str | None:
        text = as_text(value)
        if not text:
            return None
        found = accepted.get(normalize_header(text))
        if found is None:
            raise CellError("invalid_choice", choices=listed)
        return found

    return convert


def _tags(_spec: FieldSpec) -> Converter:
    def convert(value: Cell) -> list[str]:
        return [tag.strip()[:100] for tag in re.split(r"[,;|]", as_text(value)) if tag.strip()]

    return convert


def converter_for(spec: FieldSpec) -> Converter:
    """The converter of a field's cells; dates are handled by `DateConverter` (column-wide order)."""
    match spec.type:
        case ValueType.EMAIL:
            return _email(spec)
        case ValueType.DECIMAL:
            return _from_reader(parse_decimal)
        case ValueType.INTEGER:
            return _from_reader(parse_int)
        case ValueType.BOOLEAN:
            return _from_reader(parse_bool)
        case ValueType.CHOICE:
            return _choice(spec)
        case ValueType.TAGS:
            return _tags(spec)
        case _:
            return _text(spec)


class LocalToUtc:
    """Dates and wall-clock times of the organization's zone → aware UTC datetimes, cached."""

    def __init__(self, zone: str) -> None:
        self.zone = ZoneInfo(zone)
        self._cache: dict[date | datetime, datetime] = {}

    def __call__(self, value: date | datetime) -> datetime:
        found = self._cache.get(value)
        if found is None:
            local = value if isinstance(value, datetime) else datetime.combine(value, time())
            if local.tzinfo is None:
                local = local.replace(tzinfo=self.zone)
            found = local.astimezone(UTC)
            if len(self._cache) < 1_000_000:
                self._cache[value] = found
        return found


def decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
