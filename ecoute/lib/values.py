"""Numbers and yes/no values as French (and English) exports write them.

``Cell`` is what a table row holds: text (stripped, never empty) from CSV files; text,
numbers, booleans and dates from spreadsheets; ``None`` for an empty cell.

Numbers (``parse_decimal``, ``parse_amount``, ``parse_int``):

- decimal comma or point: ``12,50`` and ``12.50``;
- thousands separated by a space, a no-break space (U+00A0), a narrow no-break space
  (U+202F), an apostrophe (``1'234.50``), or by the mark that is not the decimal one
  (``1.234,56``, ``1,234.56``); groups after the first must have three digits;
- a lone separator followed by three digits is read as a decimal mark: ``1,234`` is
  1.234 (French convention), and so is ``1.234``;
- a currency sign or code before or after: ``12,50 €``, ``€12.50``, ``12.50 EUR``;
- negative as ``-12,50``, ``−12,50`` (U+2212), ``12,50-`` or ``(12,50)``.

Every failure raises ``InvalidValueError`` with a reason code (see ``tabular_errors``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation

from ecoute.lib.tabular_errors import InvalidValueError

Cell = str | int | float | bool | dt.date | dt.time | dt.timedelta | None

_CURRENCIES = {
    "€": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "$": "USD",
    "usd": "USD",
    "£": "GBP",
    "gbp": "GBP",
    "chf": "CHF",
}
_CURRENCY = r"€|\$|£|eur(?:os?)?|usd|gbp|chf"
_AMOUNT = re.compile(
    rf"""\s*
    (?P<cur0>{_CURRENCY})?\s*
    (?P<open>\()?\s*
    (?P<sign1>[-+\u2212])?\s*
    (?P<cur1>{_CURRENCY})?\s*
    (?P<sign2>[-+\u2212])?\s*
    (?P<body>[\d.,][\d.,\s'’]*?)
    (?:[eE](?P<exp>[-+]?\d{{1,4}}))?\s*
    (?P<cur2>{_CURRENCY})?\s*
    (?P<sign3>-)?\s*
    (?P<close>\))?\s*
    (?P<cur3>{_CURRENCY})?\s*""",
    re.VERBOSE | re.IGNORECASE,
)
_GROUP_SPLIT = re.compile(r"[\s'’.,]")
_MAX_LENGTH = 100
# Beyond 10**40 (or below 10**-40) a cell is a typo or an overflow, not an amount; bounding it
# also keeps int() and database casts cheap.
_MAX_EXPONENT = 40


def _invalid(code: str, value: object) -> InvalidValueError:
    shown = value if isinstance(value, str) and len(value) <= _MAX_LENGTH else str(value)[:_MAX_LENGTH]
    return InvalidValueError(code, value=shown)


def _canonical_digits(body: str) -> str | None:
    """``"12 345,67"`` → ``"12345.67"``; ``None`` when the grouping makes no sense."""
    body = body.strip()
    commas, dots = body.count(","), body.count(".")
    if commas and dots:
        decimal_mark = "," if body.rfind(",") > body.rfind(".") else "."
    elif commas == 1 or dots == 1:
        decimal_mark = "," if commas else "."
    else:
        decimal_mark = ""
    if decimal_mark:
        whole, _, fraction = body.rpartition(decimal_mark)
        if not fraction.isdigit() and fraction:
            return None
    else:
        whole, fraction = body, ""
    groups = _GROUP_SPLIT.split(whole) if whole else [""]
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(group) != 3 for group in groups[1:])):
        return None
    digits = "".join(groups)
    if digits and not digits.isdigit():
        return None
    if not digits and not fraction:
        return None
    return f"{digits or '0'}.{fraction}" if fraction else digits


def _parse_amount_text(text: str) -> tuple[Decimal, str | None]:
    match = _AMOUNT.fullmatch(text)
    if match is None:
        raise _invalid("invalid_number", text)
    signs = [sign for sign in match.group("sign1", "sign2", "sign3") if sign]
    currencies = [cur for cur in match.group("cur0", "cur1", "cur2", "cur3") if cur]
    if len(signs) > 1 or len(currencies) > 1 or bool(match["open"]) != bool(match["close"]):
        raise _invalid("invalid_number", text)
    digits = _canonical_digits(match["body"])
    if digits is None:
        raise _invalid("invalid_number", text)
    if match["exp"]:
        digits += "E" + match["exp"]
    number = Decimal(digits)
    if not -_MAX_EXPONENT < number.adjusted() < _MAX_EXPONENT:
        raise _invalid("invalid_number", text)
    if (signs and signs[0] != "+") or match["open"]:
        number = -number
    return number, (_CURRENCIES[currencies[0].lower()] if currencies else None)


def parse_amount(value: Cell | Decimal) -> tuple[Decimal, str | None]:
    """An amount and the currency written with it (ISO code), e.g. ``"12,50 €"`` → (12.50, "EUR")."""
    if isinstance(value, str):
        if not value.strip():
            raise InvalidValueError("empty_value")
        return _parse_amount_text(value)
    return parse_decimal(value), None


def parse_decimal(value: Cell | Decimal) -> Decimal:
    """A number in any of the module's notations; a currency sign is allowed and dropped."""
    if value.__class__ is str:
        text: str = value
        try:
            # Fast path for the common plain forms ("1234,56", "-12.5"); Decimal would also
            # take "1_000", "NaN" and "Infinity", which are not amounts.
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            pass
        else:
            if number.is_finite() and "_" not in text and -_MAX_EXPONENT < number.adjusted() < _MAX_EXPONENT:
                return number
        if not text.strip():
            raise InvalidValueError("empty_value")
        return _parse_amount_text(text)[0]
    if value is None:
        raise InvalidValueError("empty_value")
    if isinstance(value, bool):
        raise _invalid("invalid_number", value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _invalid("invalid_number", value)
        # A spreadsheet keeps and shows 15 significant digits: a cell computed by a formula as
        # 7.800000000000001 is the 7.8 it shows, and 0.1 stays 0.1.
        return parse_decimal(Decimal(format(value, ".15g")))
    if isinstance(value, Decimal) and value.is_finite():
        if not -_MAX_EXPONENT < value.adjusted() < _MAX_EXPONENT:
            raise _invalid("invalid_number", value)
        return value
    raise _invalid("invalid_number", value)


def parse_int(value: Cell | Decimal) -> int:
    """A whole number: ``"12 345"``, ``"12,0"``, ``12.0`` from a spreadsheet."""
    if value.__class__ is str:
        text: str = value
        if "_" not in text:
            try:
                return int(text)
            except ValueError:
                pass
    elif isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        number = parse_decimal(value)
    except InvalidValueError as error:
        if error.code == "empty_value":
            raise
        raise _invalid("invalid_integer", value) from None
    if number != number.to_integral_value():
        raise _invalid("invalid_integer", value)
    return int(number)


_TRUE = frozenset({"oui", "o", "yes", "y", "true", "vrai", "v", "1", "x", "✓", "✔"})
_FALSE = frozenset({"non", "n", "no", "false", "faux", "f", "0"})


def parse_bool(value: Cell) -> bool:
    """Yes or no: oui/non, yes/no, true/false, vrai/faux, o/n, y/n, 1/0, and x for ticked."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        if not word:
            raise InvalidValueError("empty_value")
    if value is None:
        raise InvalidValueError("empty_value")
    raise _invalid("invalid_bool", value)


# Digits after the decimal point of the currencies whose minor unit is not the cent (ISO 4217).
_MINOR_UNITS = {"JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0, "XOF": 0, "XAF": 0, "XPF": 0}


def currency_decimals(code: str) -> int:
    """How many decimals an amount in the currency `code` has: 2, or 0 for the yen, the CFA franc…"""
    return _MINOR_UNITS.get(code.upper(), 2)


def decimals_of(number: str) -> int:
    """The decimals a number needs: "12.505" → 3, "12.500" → 1 (its trailing zeros say nothing)."""
    exponent = Decimal(number).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0
