"""What can be wrong in an import file, said in the user's language.

Readers and converters raise or collect problems as codes with parameters; this module is the one
place that turns a code into a sentence, so the command line, the web page and the API say the same.
"""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ecoute.lib.api_values import CONTROL_CHARACTERS
from ecoute.lib.quantities import grouped
from ecoute.lib.tabular_errors import default_message

REASONS = {
    "required": gettext_lazy("a value is required"),
    "empty_value": gettext_lazy("a value is required"),
    "invalid_bool": gettext_lazy("not yes or no (oui/non, yes/no, 1/0)"),
    "mixed_date_order": gettext_lazy(
        "this column writes dates day first (%(day_first_value)s, line %(day_first_line)s) and month "
        "first (%(month_first_value)s, line %(month_first_line)s)"
    ),
    "date_order_minority": (
        "deciding",
        lambda n: ngettext(
            "this column would be read month first because of %(deciding)s date such as %(value)s (lines "
            "%(lines)s), while %(ambiguous)s read both ways: say how to read it with --date-order dmy, "
            "mdy or ymd",
            "this column would be read month first because of %(deciding)s dates such as %(value)s (lines "
            "%(lines)s), while %(ambiguous)s read both ways: say how to read it with --date-order dmy, "
            "mdy or ymd",
            n,
        ),
    ),
    "date_out_of_window": gettext_lazy("a date outside the years %(first)s to %(last)s"),
    "nonexistent_local_time": gettext_lazy(
        "this time does not exist in %(zone)s: the clocks go forward that night (write the time before "
        "or after the change)"
    ),
    "too_long": gettext_lazy("longer than %(max_length)s characters"),
    "sale_lines_disagree": gettext_lazy(
        "line %(first_line)s has the same sale id but not this value: the lines of one sale (the items of "
        "one ticket) share its customer, date, currency, channel and store"
    ),
    "currency_conflict": gettext_lazy(
        "the amount is written in %(written)s but the currency column says %(column)s"
    ),
    "currency_not_kept": gettext_lazy(
        "a sale in %(currency)s, while the organization keeps every sale in %(kept)s"
    ),
    "too_many_decimals": gettext_lazy(
        "more decimals than %(currency)s has: at most %(decimals)s (amounts are never rounded)"
    ),
    "invalid_email": gettext_lazy("not a valid e-mail address"),
    "invalid_number": gettext_lazy("not a number"),
    "invalid_integer": gettext_lazy("not a whole number"),
    "invalid_date": gettext_lazy("not a date (expected for example 31/12/2024 or 2024-12-31)"),
    "invalid_choice": gettext_lazy("not one of: %(choices)s"),
    "unknown_country": gettext_lazy("not a country known by its name or its code (France, FR, FRA)"),
    "unknown_customer": gettext_lazy("no customer has this CRM id (import the customers first)"),
    "unknown_customer_lines": gettext_lazy(
        "no customer has this CRM id (import the customers first); it is on %(count)s lines: %(lines)s"
    ),
    "invalid_url": gettext_lazy("not a web address"),
    # Survey answers (ecoute import responses).
    "invalid_score": gettext_lazy("not a score from %(minimum)s to %(maximum)s"),
    "invalid_satisfaction": gettext_lazy(
        "not a score from %(minimum)s to %(maximum)s nor a level of satisfaction (%(labels)s)"
    ),
    "invalid_choice_item": gettext_lazy("“%(item)s” is not one of: %(choices)s"),
    "unknown_customer_email": gettext_lazy(
        "no customer has this e-mail address (import the customers first, or give their CRM id)"
    ),
    "shared_customer_email": gettext_lazy(
        "several customers have this e-mail address: give the CRM id of the one who answered"
    ),
    "customer_key_required": gettext_lazy("the customer's CRM id or e-mail address is required"),
    "no_answers": gettext_lazy("the line answers no question"),
    "importance_with_satisfaction": gettext_lazy(
        "the importance and the satisfaction of a criterion are given together, or neither"
    ),
    "out_of_range": gettext_lazy("out of range"),
    "out_of_range_between": gettext_lazy("out of range: from %(minimum)s to %(maximum)s"),
    "out_of_range_minimum": gettext_lazy("out of range: %(minimum)s or more"),
    "out_of_range_digits": gettext_lazy("out of range: at most %(digits)s digits before the decimal point"),
    "wrong_field_count": gettext_lazy("the line has %(found)s fields where the header has %(expected)s"),
    "control_character": gettext_lazy("holds a control character or half of a character"),
    # Records sent to the API: their shape, checked before their values.
    "unknown_field": gettext_lazy(
        "not a field of these records (see the API documentation; CRM fields go under “attributes”)"
    ),
    "not_text": gettext_lazy("text is expected here"),
    "not_an_object": gettext_lazy("an object is expected here"),
    "not_a_list": gettext_lazy("a list is expected here"),
    "malformed_json": gettext_lazy("not valid JSON"),
    "invalid_value": gettext_lazy("not a valid value"),
}

FILE_PROBLEMS = {
    "empty_file": gettext_lazy("The file is empty."),
    "no_header": gettext_lazy("The file has no header line with column names."),
    "unsupported_format": gettext_lazy(
        "This is not a CSV, Excel (.xlsx) or OpenDocument (.ods) file: it looks like %(detected)s."
    ),
    "unreadable_file": gettext_lazy("The file cannot be opened."),
    "file_gone": gettext_lazy(
        "The file of this import is no longer kept (old import files are deleted): upload it again."
    ),
    "file_changed": gettext_lazy(
        "The file of this import changed since it was uploaded and checked: nothing was imported. "
        "Upload it again to check it anew."
    ),
    "corrupt_spreadsheet": gettext_lazy("The spreadsheet cannot be read: it may be damaged."),
    "protected_spreadsheet": gettext_lazy("The spreadsheet is protected by a password: save it without one."),
    "spreadsheet_too_large": gettext_lazy("The spreadsheet holds more than %(limit_mb)s MB once unpacked."),
    "sheet_too_large": gettext_lazy(
        "The sheet “%(sheet)s” spans %(rows)s rows and %(columns)s columns, counting from its first filled "
        "cell to its last: at most %(row_limit)s rows and %(limit)s cells can be read. Delete what lies "
        "outside the data, or save the sheet as CSV."
    ),
    "too_many_texts": gettext_lazy(
        "The spreadsheet declares %(found)s different texts, more than the %(limit)s that can be read: "
        "it may be damaged. Save it again, or as CSV."
    ),
    "spreadsheet_out_of_memory": gettext_lazy(
        "Reading the spreadsheet needs more than the %(limit_mb)s MB of memory allowed. Save it as CSV, "
        "which is read without this limit, or split it."
    ),
    "too_many_columns": gettext_lazy(
        "The file has %(found)s columns: at most %(limit)s can be imported. Delete the columns you do not "
        "need, or split the file."
    ),
    "header_row_empty": gettext_lazy(
        "Line %(line)s, given as the header, is empty or beyond the end of the file."
    ),
    "ambiguous_sheets": gettext_lazy(
        "Several sheets hold data of the same shape (%(sheets)s): choose the one to import (--sheet NAME "
        "on the command line), or import them all (--sheet all)."
    ),
    "sheet_not_found": gettext_lazy("The workbook has no sheet named “%(sheet)s” (sheets: %(available)s)."),
    "weak_encoding": gettext_lazy(
        "The encoding of the file cannot be told for sure (it could be %(candidates)s). Give it: "
        "--encoding on the command line, or the encoding choice when uploading."
    ),
    "unknown_encoding": gettext_lazy(
        "“%(encoding)s” is not an encoding that can be read (for example: %(available)s)."
    ),
    "invalid_utf8": gettext_lazy(
        "The file is UTF-8 text except for lines holding bytes that are not (%(count)s in all): "
        "%(lines)s. Correct them, or give the encoding of the file (--encoding on the command line, "
        "or the encoding choice when uploading)."
    ),
    "undecodable": gettext_lazy("Line %(line)s holds bytes that are not %(encoding)s text."),
    "field_too_large": gettext_lazy(
        'Line %(line)s: a field is longer than %(limit)s characters; a quote (") may never be closed.'
    ),
    "line_too_long": gettext_lazy("Line %(line)s is longer than %(limit)s characters."),
    "unclosed_quote": gettext_lazy(
        'Line %(line)s: a quote (") opens a field and is not closed where it should be: the field '
        "swallows the %(swallowed)s lines after it. Close the quote or remove it."
    ),
    "malformed_csv": gettext_lazy("Line %(line)s cannot be read as CSV."),
    "ragged_row": gettext_lazy("Line %(line)s has %(found)s fields where the header has %(expected)s."),
    "missing_columns": (
        "count",
        lambda n: ngettext(
            "A required column is missing: %(fields)s. Columns found: %(found)s. "
            "Name the column with --map COLUMN=field or in the mapping form.",
            "%(count)s required columns are missing: %(fields)s. Columns found: %(found)s. "
            "Name the columns with --map COLUMN=field or in the mapping form.",
            n,
        ),
    ),
    "invalid_override": gettext_lazy("“%(spec)s” should read COLUMN=field."),
    "unknown_column": gettext_lazy("No column is named “%(column)s” (columns: %(available)s)."),
    "ambiguous_column": gettext_lazy("Several columns are named “%(column)s”."),
    "unknown_field": gettext_lazy("“%(field)s” is not a field that can be imported (fields: %(available)s)."),
    "duplicate_field": gettext_lazy("The field “%(field)s” is given to several columns."),
    "no_rows": gettext_lazy("The file has a header but no data rows."),
    "crm_field_name_too_long": gettext_lazy(
        "The column “%(column)s…” would be a CRM field of each customer, whose name is at most %(limit)s "
        "characters: shorten its header, or leave it out of the file."
    ),
    "unknown_kind": gettext_lazy("Unknown kind of import: %(kind)s"),
    "no_question_columns": gettext_lazy(
        "No column holds the answers to a question of the survey (questions: %(questions)s; columns "
        "found: %(found)s). Name a question's column by its code or its text, or with --map "
        "COLUMN=question_code."
    ),
}


NOTES = {
    # How the file was read (see reading.py).
    "encoding_given": gettext_lazy("Read in the encoding given: %(encoding)s."),
    "encoding_found": gettext_lazy("Encoding found: %(encoding)s."),
    "sheets_joined": gettext_lazy(
        "Sheets read one after the other, their lines counted across them: %(starts)s."
    ),
    "sheet_read": (
        "count",
        lambda n: ngettext(
            "Sheet read: “%(sheet)s” (the workbook has %(count)s sheet: %(sheets)s).",
            "Sheet read: “%(sheet)s” (the workbook has %(count)s sheets: %(sheets)s).",
            n,
        ),
    ),
    "header_line": gettext_lazy("Column names read on line %(line)s."),
    "totals_lines": (
        "count",
        lambda n: ngettext(
            "Line %(lines)s is a totals line: skipped.",
            "Lines %(lines)s are totals lines: skipped.",
            n,
        ),
    ),
    # What the import decided.
    "sale_lines": (
        "sales",
        lambda n: ngettext(
            "%(lines)s lines → %(sales)s sale of several items, stored with its total.",
            "%(lines)s lines → %(sales)s sales of several items, each stored with its total.",
            n,
        ),
    ),
    "customer_repeated": (
        "count",
        lambda n: ngettext(
            "%(count)s CRM id comes on several lines: %(shown)s; the last line wins.",
            "%(count)s CRM ids come on several lines: %(shown)s; the last line of each wins.",
            n,
        ),
    ),
    "id_repeated": (
        "count",
        lambda n: ngettext(
            "%(count)s id comes on several lines: %(shown)s; the last line wins.",
            "%(count)s ids come on several lines: %(shown)s; the last line of each wins.",
            n,
        ),
    ),
    "ids_alike": (
        "count",
        lambda n: ngettext(
            "%(count)s id differs from another only in capitals: %(shown)s; they are imported as different "
            "records. If they are the same, write them alike in the file.",
            "%(count)s ids differ from others only in capitals: %(shown)s; they are imported as different "
            "records. If they are the same, write them alike in the file.",
            n,
        ),
    ),
    "responses_already_imported": (
        "count",
        lambda n: ngettext(
            "%(count)s response of this file was imported before: left as it was.",
            "%(count)s responses of this file were imported before: left as they were.",
            n,
        ),
    ),
    "date_order_minority": (
        "deciding",
        lambda n: ngettext(
            "Column “%(column)s”: its day/month order is told by %(deciding)s date only, such as %(value)s "
            "(lines %(lines)s), while %(ambiguous)s read both ways; read day first.",
            "Column “%(column)s”: its day/month order is told by %(deciding)s dates only, such as %(value)s "
            "(lines %(lines)s), while %(ambiguous)s read both ways; read day first.",
            n,
        ),
    ),
    "ambiguous_local_time": (
        "count",
        lambda n: ngettext(
            "Column “%(column)s”: %(count)s time happens twice in %(zone)s as the clocks go back (lines "
            "%(lines)s); it is read as the first one, in summer time.",
            "Column “%(column)s”: %(count)s times happen twice in %(zone)s as the clocks go back (lines "
            "%(lines)s); each is read as the first one, in summer time.",
            n,
        ),
    ),
}


# What the reader found instead of a table (see ecoute/lib/tabular.py), in words.
FORMATS_DETECTED = {
    "binary": gettext_lazy("a binary file, not text"),
    "html": gettext_lazy("a web page (HTML)"),
    "zip": gettext_lazy("a ZIP archive"),
    "pdf": gettext_lazy("a PDF document"),
    "png": gettext_lazy("an image"),
    "jpeg": gettext_lazy("an image"),
    "gif": gettext_lazy("an image"),
    "gzip": gettext_lazy("a compressed archive"),
    "rar": gettext_lazy("a compressed archive"),
    "7z": gettext_lazy("a compressed archive"),
    "rtf": gettext_lazy("a word-processing document (RTF)"),
    "xls": gettext_lazy(
        "an Excel 97-2003 (.xls) workbook, a Word document or a workbook protected by a password"
    ),
}


def _say(sentences: dict[str, Any], code: str, params: dict[str, Any]) -> str:
    """The sentence for `code` in the active language, its numbers written the reader's way; the reader's
    English text for a code we do not know, and the bare sentence when a parameter is missing: never an
    error while reporting one."""
    sentence = sentences.get(code)
    if sentence is None:
        return default_message(code, params)
    if isinstance(sentence, tuple):  # (the parameter that counts, its sentence in the right plural)
        counted, plural = sentence
        sentence = plural(int(params.get(counted) or 0))
    shown = {
        name: grouped(value) if isinstance(value, int) and not isinstance(value, bool) else value
        for name, value in params.items()
    }
    try:
        return str(sentence) % shown
    except (KeyError, TypeError, ValueError):
        return str(sentence)


def _visible(value: str) -> str:
    """A control character spelled out (\\x1b), so that a value quoted to a terminal is never run by it."""
    return CONTROL_CHARACTERS.sub(lambda match: f"\\x{ord(match.group()):02x}", value)


@dataclass(frozen=True)
class RowProblem:
    """One bad value: the line in the file, the column, the value and why."""

    line: int
    column: str
    value: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        return _say(REASONS, self.code, self.params)

    def describe(self) -> str:
        if not self.column and not self.value:  # a problem of the whole line (its number of fields…)
            return _("line %(line)s: %(reason)s") % {"line": self.line, "reason": self.reason}
        return _("line %(line)s, column “%(column)s”, value “%(value)s”: %(reason)s") % {
            "line": self.line,
            "column": self.column,
            "value": _visible(self.value[:80]),
            "reason": self.reason,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "column": self.column,
            "value": self.value[:200],
            "code": self.code,
            "params": self.params,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RowProblem":
        return cls(data["line"], data["column"], data["value"], data["code"], data.get("params", {}))


class ImportFileError(Exception):
    """The file as a whole cannot be imported (empty, wrong format, missing columns…)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def describe(self) -> str:
        params = self.params
        if self.code == "unsupported_format" and "detected" in params:
            detected = FORMATS_DETECTED.get(str(params["detected"]))
            params = {**params, "detected": detected or params["detected"]}
        return _say(FILE_PROBLEMS, self.code, params)


@dataclass(frozen=True)
class ImportNote:
    """Something the import decided that the user should know, though nothing was refused."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        return _say(NOTES, self.code, self.params)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params, "message": self.describe()}
