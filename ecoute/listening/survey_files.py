"""Surveys as JSON files: the schema kept in the repository, the checks, and the export.

Every problem names the JSON path of the bad value (`/questions/2/show_if/question`) and says what is
wrong in the active language. A file is checked whole before anything is written.
"""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from ecoute.listening.audiences import AudienceError, read_audience
from ecoute.listening.models import SCALES, Criterion, Survey, SurveyKind
from ecoute.listening.personalize import check_placeholders

SCHEMA_FILE = Path(__file__).parent / "data" / "survey.schema.json"
FORMAT = "ecoute-survey/1"
THANKS_LEVELS = ("default", "promoter", "passive", "detractor")
MAX_FILE_BYTES = 2 * 1024 * 1024  # the largest survey file read, from the page or the command
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '/'}: {self.message}"


class SurveyFileError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


@cache
def _validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _pointer(parts: Iterator[str | int] | list[str | int]) -> str:
    return "".join(f"/{str(part).replace('~', '~0').replace('/', '~1')}" for part in parts)


def _schema_message(error: ValidationError) -> tuple[str, str]:
    """The path and the sentence for one schema error, in the active language."""
    path = _pointer(list(error.absolute_path))
    keyword = error.validator
    limit: Any = error.validator_value
    instance: Any = error.instance
    schema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    if keyword == "required":
        missing = [name for name in limit if name not in instance]
        return path, _("“%(field)s” is missing.") % {"field": missing[0] if missing else limit}
    if keyword == "additionalProperties":
        allowed = schema.get("properties", {})
        extra = sorted(name for name in instance if name not in allowed)
        return path, _("“%(field)s” is not a field here.") % {"field": ", ".join(extra)}
    messages = {
        "type": _("must be of type %(limit)s."),
        "enum": _("must be one of: %(limit)s."),
        "const": _("must be %(limit)s."),
        "minimum": _("must be at least %(limit)s."),
        "maximum": _("must be at most %(limit)s."),
        "minLength": _("must not be empty.")
        if limit == 1
        else _("must be at least %(limit)s characters long."),
        "maxLength": _("must be at most %(limit)s characters long."),
        "minItems": _("must hold at least %(limit)s items."),
        "maxItems": _("must hold at most %(limit)s items."),
        "uniqueItems": _("must not repeat an item."),
        "pattern": _("must be lower-case letters, digits, - or _ (for example “after_purchase”)."),
    }
    if keyword in messages:
        shown = ", ".join(map(str, limit)) if isinstance(limit, list) else limit
        if keyword == "type" and isinstance(limit, list):
            shown = _(" or ").join(map(str, limit))
        return path, messages[keyword] % {"limit": shown}
    return path, error.message


def schema_problems(document: object) -> list[Problem]:
    errors = sorted(
        _validator().iter_errors(document), key=lambda e: (list(map(str, e.absolute_path)), e.validator)
    )
    problems = [Problem(*_schema_message(error)) for error in errors]
    return list(dict.fromkeys(problems))


def content_problems(
    document: dict[str, Any], criterion_codes: set[str], known_fields: set[str]
) -> list[Problem]:
    """What the schema cannot say: codes that must exist, earlier questions, placeholders, languages."""
    problems: list[Problem] = []
    languages = document.get("languages", ["fr", "en"])
    seen: dict[str, str] = {}
    for index, question in enumerate(document["questions"]):
        path = f"/questions/{index}"
        code = question["code"]
        if code in seen:
            problems.append(
                Problem(f"{path}/code", _("“%(code)s” is the code of another question.") % {"code": code})
            )
        for language in languages:
            if not question["text"].get(language, "").strip():
                problems.append(
                    Problem(
                        f"{path}/text",
                        _("the text in “%(language)s”, a language of the survey, is missing.")
                        % {"language": language},
                    )
                )
        criterion = question.get("criterion")
        if criterion and criterion not in criterion_codes:
            problems.append(
                Problem(
                    f"{path}/criterion",
                    _("no criterion has the code “%(code)s” (see the criteria page).") % {"code": criterion},
                )
            )
        known_from = question.get("known_from")
        if known_from and known_from not in known_fields:
            problems.append(
                Problem(
                    f"{path}/known_from",
                    _("“%(field)s” is no customer field or CRM field.") % {"field": known_from},
                )
            )
        problems += _show_if_problems(question.get("show_if"), f"{path}/show_if", seen)
        problems += _repeated_option_problems(question.get("options") or [], f"{path}/options")
        seen.setdefault(code, question["type"])
    for path, text in _texts(document):
        problems += [Problem(path, message) for message in check_placeholders(text, known_fields)]
    try:
        read_audience(document.get("audience", {}), document.get("kind", SurveyKind.RELATIONSHIP))
    except AudienceError as error:
        problems += [Problem("/audience", message) for message in error.problems]
    return problems


def _repeated_option_problems(options: list[dict[str, Any]], path: str) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for index, option in enumerate(options):
        if option["value"] in seen:
            message = _("“%(value)s” is the value of another option.") % {"value": option["value"]}
            problems.append(Problem(f"{path}/{index}/value", message))
        seen.add(option["value"])
    return problems


def _show_if_problems(show_if: dict[str, Any] | None, path: str, earlier: dict[str, str]) -> list[Problem]:
    if not show_if:
        return []
    target = show_if["question"]
    if target not in earlier:
        return [
            Problem(
                f"{path}/question",
                _("“%(code)s” is not an earlier question of this survey.") % {"code": target},
            )
        ]
    if earlier[target] not in SCALES and earlier[target] != "yes_no":
        return [
            Problem(f"{path}/question", _("“%(code)s” is not answered with a number.") % {"code": target})
        ]
    low, high = SCALES.get(earlier[target], (0, 1))
    problems = []
    for bound in ("min", "max"):
        if bound in show_if and not low <= show_if[bound] <= high:
            problems.append(
                Problem(
                    f"{path}/{bound}",
                    _("must be between %(low)s and %(high)s, the scale of “%(code)s”.")
                    % {"low": low, "high": high, "code": target},
                )
            )
    if show_if.get("min", low) > show_if.get("max", high):
        problems.append(Problem(path, _("“min” is above “max”: the question would never be shown.")))
    return problems


def _texts(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Every text of the document that may hold placeholders, with its path."""
    for language, text in document.get("intro", {}).items():
        yield f"/intro/{language}", text
    for level, texts in document.get("thanks", {}).items():
        for language, text in texts.items():
            yield f"/thanks/{level}/{language}", text
    for part, texts in document.get("email", {}).items():
        for language, text in texts.items():
            yield f"/email/{part}/{language}", text
    for index, question in enumerate(document["questions"]):
        for language, text in question["text"].items():
            yield f"/questions/{index}/text/{language}", text


def unstorable_problems(document: object) -> list[Problem]:
    """Texts (and keys) holding NUL or half of a surrogate pair, which JSON allows and databases refuse."""
    problems: list[Problem] = []
    pending: list[tuple[list[str | int], object]] = [([], document)]
    while pending:
        path, value = pending.pop()
        items: list[tuple[str | int, object]] = []
        if isinstance(value, dict):
            items = list(value.items())
            texts = [str(key) for key in value]
        elif isinstance(value, list):
            items = list(enumerate(value))
            texts = []
        else:
            texts = [value] if isinstance(value, str) else []
        if any(_UNSTORABLE.search(text) for text in texts):
            message = _("holds a character that cannot be stored (NUL or invalid).")
            problems.append(Problem(_pointer(path), message))
        pending += [([*path, key], item) for key, item in reversed(items)]
    return sorted(problems, key=lambda problem: problem.path)


def check_document(document: object, criterion_codes: set[str], known_fields: set[str]) -> dict[str, Any]:
    """The document when it is a valid survey for this organization; SurveyFileError naming each problem."""
    problems = unstorable_problems(document) or schema_problems(document)
    if problems:
        raise SurveyFileError(problems)
    assert isinstance(document, dict)  # noqa: S101 - the schema requires an object
    problems = content_problems(document, criterion_codes, known_fields)
    if problems:
        raise SurveyFileError(problems)
    return document


def parse_json(text: str) -> object:
    try:
        return json.loads(text)
    except RecursionError as error:
        raise SurveyFileError([Problem("", _("nested too deeply to be a survey."))]) from error
    except json.JSONDecodeError as error:
        raise SurveyFileError(
            [
                Problem(
                    "",
                    _("not valid JSON: line %(line)s, column %(column)s: %(reason)s.")
                    % {"line": error.lineno, "column": error.colno, "reason": error.msg},
                )
            ]
        ) from error


def _texts_of(fr: str, en: str) -> dict[str, str]:
    return {language: text for language, text in (("fr", fr), ("en", en)) if text}


def export_survey(survey: Survey) -> dict[str, Any]:
    """The survey as a document that `import_survey` reads back into the same survey."""
    questions = []
    for question in survey.questions.select_related("criterion").order_by("position", "id"):
        entry: dict[str, Any] = {
            "code": question.code,
            "type": question.type,
            "text": _texts_of(question.text_fr, question.text_en),
        }
        if question.criterion:
            entry["criterion"] = question.criterion.code
        if question.known_from:
            entry["known_from"] = question.known_from
        if question.show_if:
            entry["show_if"] = question.show_if
        if question.required:
            entry["required"] = True
        if question.options:
            entry["options"] = question.options
        questions.append(entry)
    document: dict[str, Any] = {
        "format": FORMAT,
        "slug": survey.slug,
        "name": survey.name,
        "kind": survey.kind,
        "languages": survey.languages,
        "cooldown_days": survey.cooldown_days,
        "reminder_after_days": survey.reminder_after_days,
        "expires_after_days": survey.expires_after_days,
        "min_answers": survey.min_answers,
        "audience": survey.audience,
        "intro": _texts_of(survey.intro_fr, survey.intro_en),
        "thanks": {level: texts for level, texts in survey.thanks.items() if level in THANKS_LEVELS},
        "email": {
            "subject": _texts_of(survey.email_subject_fr, survey.email_subject_en),
            "body": _texts_of(survey.email_body_fr, survey.email_body_en),
        },
        "questions": questions,
    }
    return document


def criterion_codes(organization_id: int) -> set[str]:
    return set(Criterion.objects.filter(organization_id=organization_id).values_list("code", flat=True))
