"""What is wrong with an API request, said like a file import says it: row, field, value, reason.

The shape of a request is checked by its pydantic schema, its values by the importer; both kinds of
problem are answered in one form, in the language of Accept-Language or else the organization's.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy

from ecoute.accounts.api_auth import api_language
from ecoute.customers.importing.problems import RowProblem

NOTHING_WRITTEN = gettext_lazy("Nothing was written: some records are invalid.")
INVALID_REQUEST = gettext_lazy("The request is invalid: nothing was written.")
TOO_MANY_RECORDS = gettext_lazy("At most %(count)s records per request.")

# pydantic's error types → the importer's reasons.
_CODES = {
    "extra_forbidden": "unknown_field",
    "missing": "required",
    "string_too_short": "required",
    "too_short": "required",
    "string_too_long": "too_long",
    "too_long": "too_long",
    "string_type": "not_text",
    "string_unicode": "control_character",  # half of a surrogate pair
    "bool_type": "invalid_bool",
    "bool_parsing": "invalid_bool",
    "int_type": "invalid_integer",
    "int_parsing": "invalid_integer",
    "int_from_float": "invalid_integer",
    "float_type": "invalid_number",
    "float_parsing": "invalid_number",
    "finite_number": "invalid_number",
    "greater_than_equal": "out_of_range",
    "less_than_equal": "out_of_range",
    "greater_than": "out_of_range",
    "less_than": "out_of_range",
    "enum": "invalid_choice",
    "literal_error": "invalid_choice",
    "dict_type": "not_an_object",
    "model_type": "not_an_object",
    "model_attributes_type": "not_an_object",
    "list_type": "not_a_list",
    "control_character": "control_character",
    "json_invalid": "malformed_json",
}
# Segments pydantic adds to a location to say which branch of a union or which validator it tried.
_BRANCH = re.compile(r"str|int|float|bool|none|decimal|enum|\[key\]|[\w-]+\[.*\]")


def request_language(request: HttpRequest) -> str:
    """The API's language for this request: its key's organization's unless Accept-Language says."""
    organization = getattr(request, "organization", None)
    if organization is None:
        return translation.get_language_from_request(request)
    return api_language(request, organization)


@contextmanager
def in_api_language(request: HttpRequest) -> Iterator[None]:
    with translation.override(request_language(request)):
        yield


def problem_from_import(problem: RowProblem) -> dict[str, Any]:
    return {
        "row": problem.line,
        "field": problem.column,
        "value": problem.value[:200],
        "code": problem.code,
        "message": problem.reason,
    }


def problems_from_schema(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """pydantic's errors (with their input), one problem per field: a union's branches say it once."""
    problems: dict[tuple[int | None, str], dict[str, Any]] = {}
    for error in errors:
        row, field = _where(error.get("loc", ()))
        if (row, field) in problems:
            continue
        code = _CODES.get(error.get("type", ""), "invalid_value")
        params = dict(error.get("ctx") or {})
        if code == "invalid_choice":
            params["choices"] = str(params.get("expected", "")).replace("'", "")
        problems[row, field] = {
            "row": row,
            "field": field,
            "value": _shown(error.get("input")),
            "code": code,
            "message": RowProblem(row or 0, field, "", code, params).reason,
        }
    return list(problems.values())


def is_too_many_records(errors: list[dict[str, Any]]) -> bool:
    return any(error.get("type") == "too_long" and _where(error.get("loc", ()))[1] == "" for error in errors)


def _where(loc: tuple[Any, ...] | list[Any]) -> tuple[int | None, str]:
    """("body", "records", 2, "attributes", "tier") → (3, "attributes.tier"); ("query", "offset") →
    (None, "offset")."""
    parts = [str(part) for part in loc[1:] if not _BRANCH.fullmatch(str(part))]
    if loc and loc[0] == "body":
        parts = parts[1:]  # the name of the view's argument
        if parts and parts[0].isdigit():
            return int(parts[0]) + 1, ".".join(parts[1:])
    return None, ".".join(parts)


def _shown(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value)[:200]
