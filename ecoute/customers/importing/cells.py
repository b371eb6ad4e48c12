"""Turn one cell of an import file into the value stored, or say why it cannot be."""

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ecoute.customers.importing.field_spec import MAX_TAG_LENGTH, FieldSpec, ValueType
from ecoute.lib.api_values import CONTROL_CHARACTERS
from ecoute.lib.columns import normalize_header
from ecoute.lib.countries import country_code
from ecoute.lib.tabular_errors import InvalidValueError
from ecoute.lib.values import parse_amount, parse_bool, parse_decimal, parse_int

type Cell = str | float | int | date | datetime | None
type Converter = Callable[[Cell], Any]

_EMAIL = re.compile(r"^[^@\s;,<>]+@[^@\s;,<>]+\.[^@\s;,<>]+$")


class CellError(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def as_text(value: Cell) -> str:
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # spreadsheets hand whole numbers as floats: 1042.0 is "1042"
    return str(value).strip()


def _text(spec: FieldSpec) -> Converter:
    limit = spec.max_length

    def convert(value: Cell) -> str:
        text = value.strip() if value.__class__ is str else as_text(value)
        if limit and len(text) > limit:
            raise CellError("too_long", max_length=limit)
        if CONTROL_CHARACTERS.search(text):
            raise CellError("control_character")
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


# Amounts as most exports write them ("63,37", "1250.5"): their canonical text is the cell with a
# point, so they skip Decimal. No leading zero, at most six decimals: str(Decimal) would differ.
_PLAIN_DECIMAL = re.compile(r"-?(?:0|[1-9]\d{0,14})(?:[.,]\d{1,6})?")


def _decimal_text(value: Cell) -> str | None:
    """The number as canonical text ("1234.56"): what the database takes, and cheap to spill."""
    if value is None or value == "":
        return None
    if value.__class__ is str and _PLAIN_DECIMAL.fullmatch(value):
        return value.replace(",", ".")
    try:
        return str(parse_decimal(value))
    except InvalidValueError as error:
        raise CellError(error.code, **error.params) from None


def _bounded_decimal(spec: FieldSpec) -> Converter:
    """A number that fits the column: at most `integer_digits` before the point, not below `minimum`."""
    digits, minimum = spec.integer_digits, spec.minimum
    if digits is None and minimum is None:
        return _decimal_text

    def convert(value: Cell) -> str | None:
        text = _decimal_text(value)
        if text is None:
            return None
        whole = text.partition(".")[0].lstrip("-")
        too_big = digits is not None and len(whole.lstrip("0")) > digits
        if minimum is not None and Decimal(text) < minimum:
            raise CellError("out_of_range_minimum", minimum=minimum)
        if too_big:
            raise _out_of_range(spec, low=None)
        return text

    return convert


def _money(spec: FieldSpec) -> Converter:
    """An amount as canonical text, followed by the ISO code of the currency the cell names, if any
    ("12,50 $" → "12.50 USD"); `money.SaleAmounts` then settles the sale's currency."""
    digits = spec.integer_digits

    def convert(value: Cell) -> str | None:
        if value is None or value == "":
            return None
        currency = None
        if value.__class__ is str and _PLAIN_DECIMAL.fullmatch(value):
            text = value.replace(",", ".")
        else:
            try:
                number, currency = parse_amount(value)
            except InvalidValueError as error:
                raise CellError(error.code, **error.params) from None
            text = str(number)
        if digits is not None and len(text.partition(".")[0].lstrip("-").lstrip("0")) > digits:
            raise CellError("out_of_range_digits", digits=digits)
        return f"{text} {currency}" if currency else text

    return convert


def _bounded_integer(spec: FieldSpec) -> Converter:
    parse = _from_reader(parse_int)
    # Whatever the field, a 32-bit column: larger numbers would fail in the database, not here.
    low = spec.minimum if spec.minimum is not None else -(2**31)
    high = spec.maximum if spec.maximum is not None else 2**31 - 1

    def convert(value: Cell) -> int | None:
        number: int | None = parse(value)
        if number is not None and not low <= number <= high:
            raise _out_of_range(spec, low=low, high=high)
        return number

    return convert


def _out_of_range(spec: FieldSpec, *, low: int | None = None, high: int | None = None) -> CellError:
    """The error of a value out of the field's bounds, naming them."""
    low = spec.minimum if low is None else low
    high = spec.maximum if high is None else high
    if low is not None and high is not None:
        return CellError("out_of_range_between", minimum=low, maximum=high)
    if low is not None and (spec.integer_digits is None):
        return CellError("out_of_range_minimum", minimum=low)
    return CellError("out_of_range_digits", digits=spec.integer_digits, minimum=low)


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


def _country(value: Cell) -> str | None:
    text = as_text(value)
    if not text:
        return None
    if (code := country_code(text)) is None:
        raise CellError("unknown_country")
    return code


def _web_address(spec: FieldSpec) -> Converter:
    """An http(s) address only: a link shown later must never run a script (javascript:…)."""
    text = _text(spec)

    def convert(value: Cell) -> str:
        address: str = text(value)
        if address and not address.lower().startswith(("https://", "http://")):
            raise CellError("invalid_url")
        return address

    return convert


def _tags(_spec: FieldSpec) -> Converter:
    def convert(value: Cell | list[str]) -> list[str]:
        if isinstance(value, list):  # sent to the API as a list: each item is a tag, commas and all
            tags = [tag.strip() for tag in value if tag.strip()]
        else:
            tags = [tag.strip() for tag in re.split(r"[,;|]", as_text(value)) if tag.strip()]
        if any(len(tag) > MAX_TAG_LENGTH for tag in tags):
            raise CellError("too_long", max_length=MAX_TAG_LENGTH)
        if any(CONTROL_CHARACTERS.search(tag) for tag in tags):
            raise CellError("control_character")
        return tags

    return convert


def converter_for(spec: FieldSpec) -> Converter:
    """The converter of a field's cells; dates are handled by `DateConverter` (column-wide order)."""
    if spec.convert is not None:
        return spec.convert
    match spec.type:
        case ValueType.EMAIL:
            return _email(spec)
        case ValueType.DECIMAL:
            return _bounded_decimal(spec)
        case ValueType.MONEY:
            return _money(spec)
        case ValueType.INTEGER:
            return _bounded_integer(spec)
        case ValueType.BOOLEAN:
            return _from_reader(parse_bool)
        case ValueType.CHOICE:
            return _choice(spec)
        case ValueType.COUNTRY:
            return _country
        case ValueType.TAGS:
            return _tags(spec)
        case ValueType.URL:
            return _web_address(spec)
        case _:
            return _text(spec)
