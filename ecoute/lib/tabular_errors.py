"""Machine-readable problems found while reading an imported file.

Every problem carries a ``code`` and ``params``. The caller turns them into a sentence in
the user's language (it owns gettext; this package imports no Django): look the code up
in its own catalogue and format the params into it. ``MESSAGES`` holds the plain English
default for each code, used by ``str()`` and by callers that do not translate.

Two kinds:

- ``TabularError``: the file (or one line of it, given in ``params["line"]``) cannot be
  read: wrong format, damaged workbook, undecodable bytes, ragged line, bad column mapping.
- ``InvalidValueError``: one cell cannot be read as the expected type (a ``ValueError``).
"""

from __future__ import annotations

from collections.abc import Mapping

MESSAGES: Mapping[str, str] = {
    # The file as a whole.
    "unreadable_file": "The file cannot be opened: {detail}.",
    "empty_file": "The file is empty.",
    "unsupported_format": (
        "This file is not a CSV file nor an xlsx or ods spreadsheet (it looks like {detected})."
    ),
    "no_header": "The first row holds data, not column names: add a header row.",
    "corrupt_spreadsheet": "The spreadsheet cannot be read, it may be damaged: {detail}.",
    "protected_spreadsheet": "The spreadsheet is protected by a password.",
    "spreadsheet_too_large": "The spreadsheet holds more than {limit_mb} MB once unpacked.",
    "sheet_too_large": (
        "The sheet {sheet} spans {rows} rows and {columns} columns: at most {row_limit} rows and "
        "{limit} cells can be read."
    ),
    "too_many_texts": (
        "The spreadsheet declares {found} different texts, more than the {limit} that can be read."
    ),
    "spreadsheet_out_of_memory": (
        "Reading the spreadsheet needs more than the {limit_mb} MB of memory allowed."
    ),
    "too_many_columns": "The file has {found} columns: at most {limit} can be imported.",
    "header_row_empty": "Line {line}, given as the header, is empty or beyond the end of the file.",
    "ambiguous_sheets": (
        "Several sheets hold data of the same shape ({sheets}): name the one to import (--sheet NAME), "
        "or import them all (--sheet all)."
    ),
    "sheet_not_found": "The workbook has no sheet named {sheet} (sheets: {available}).",
    "weak_encoding": (
        "The encoding of the file cannot be told for sure (it could be {candidates}): give it (--encoding)."
    ),
    "unknown_encoding": "{encoding!r} is not an encoding that can be read (for example {available}).",
    "invalid_utf8": (
        "The file is UTF-8 text except for {count} line(s) holding bytes that are not: {lines}. "
        "Correct them, or give the encoding of the file (--encoding)."
    ),
    # One line of a CSV file.
    "undecodable": "Line {line}: bytes that are not valid {encoding} text.",
    "field_too_large": (
        'Line {line}: a field is longer than {limit} characters; a quote (") may never be closed.'
    ),
    "line_too_long": "Line {line}: the line is longer than {limit} characters.",
    "unclosed_quote": (
        'Line {line}: a quote (") opens a field and is not closed where it should be: the field swallows '
        "the {swallowed} lines after it. Close the quote or remove it."
    ),
    "malformed_csv": "Line {line}: the line cannot be read as CSV: {detail}.",
    "ragged_row": "Line {line}: {found} fields where the header has {expected}.",
    # Column mapping given by the user ("COLUMN=field").
    "invalid_override": "{spec!r} should read COLUMN=field.",
    "unknown_column": "No column is named {column!r} (columns: {available}).",
    "ambiguous_column": "Several columns are named {column!r}.",
    "unknown_field": "{field!r} is not a field that can be imported (fields: {available}).",
    "duplicate_field": "The field {field!r} is given to several columns.",
    # One value.
    "empty_value": "A value is required.",
    "invalid_number": "{value!r} is not a number.",
    "invalid_integer": "{value!r} is not a whole number.",
    "invalid_bool": "{value!r} is not yes or no.",
    "invalid_date": "{value!r} is not a date.",
    "mixed_date_order": (
        "Dates in this column are written day first ({day_first_value}, line {day_first_line}) "
        "and month first ({month_first_value}, line {month_first_line})."
    ),
    "date_order_minority": (
        "Only {deciding} date(s) such as {value} (lines {lines}) tell this column's day/month order, "
        "while {ambiguous} read both ways."
    ),
    "date_out_of_window": "{value!r} is outside the years {first} to {last}.",
}


def default_message(code: str, params: Mapping[str, object]) -> str:
    """The English text for a code; never fails, even on a code or param it does not know."""
    template = MESSAGES.get(code)
    if template is None:
        return code
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


class TabularError(Exception):
    """The file, or one line of it, cannot be read."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params: dict[str, object] = params
        super().__init__(default_message(code, params))


class InvalidValueError(ValueError):
    """A value cannot be read as the expected type."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params: dict[str, object] = params
        super().__init__(default_message(code, params))
