"""Postcodes and phone numbers as spreadsheets damage them, repaired when the country leaves no doubt.

Excel reads "01000" and "0612345678" as numbers and drops their leading zero. French postcodes have five
digits and French phone numbers ten (0 and nine digits), so a four-digit postcode or a nine-digit number
in a French row can only be one of them with its zero lost. Other countries are left as written: "1000"
is a postcode of Brussels.

Phones are also given in E.164 (``+33612345678``), the one form that two spellings of a number share
("06 12 34 56 78", "0033 6 12 34 56 78", "+33 (0)6 12 34 56 78"), to match customers on it.
"""

import re

_SEPARATORS = re.compile(r"[\s.\-()/]")
_FRENCH_DIGITS = 9
_FRENCH_POSTCODE = 5


def repair_postcode(postcode: str, *, french: bool) -> str:
    """ "1000" → "01000" in a French row; anything else as written."""
    if french and postcode.isdigit() and len(postcode) == _FRENCH_POSTCODE - 1:
        return "0" + postcode
    return postcode


def phone_e164(phone: str, *, french: bool) -> str:
    """The number in E.164, or "" when it cannot be told (a French national number outside a French row)."""
    digits = _SEPARATORS.sub("", phone).replace("+33(0)", "+33").replace("+330", "+33")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.startswith("+"):
        return digits if digits[1:].isdigit() and 8 <= len(digits) <= 16 else ""
    if not digits.isdigit() or not french:
        return ""
    if len(digits) == _FRENCH_DIGITS + 1 and digits[0] == "0" and digits[1] != "0":
        return "+33" + digits[1:]
    if len(digits) == _FRENCH_DIGITS and digits[0] != "0":
        return "+33" + digits  # its leading zero lost in a spreadsheet
    return ""


def repair_phone(phone: str, *, french: bool) -> str:
    """A French number that lost its leading zero ("612345678") in E.164; anything else as written."""
    digits = _SEPARATORS.sub("", phone)
    if french and digits.isdigit() and len(digits) == _FRENCH_DIGITS and digits[0] != "0":
        return "+33" + digits
    return phone
