"""A survey document as its customers will see it, for the builder's preview: texts in one language,
placeholders filled for an example customer (fields it lacks show their fallback), each question with
its scale or its options. Nothing here writes; the templates escape every text.
"""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from ecoute.listening.models import SCALES, QuestionType
from ecoute.listening.personalize import render
from ecoute.listening.survey_files import THANKS_LEVELS

# The example customer of the preview: CRM fields it lacks show their fallback, as they would.
EXAMPLE_CUSTOMER = {"first_name": "Camille", "last_name": "Martin", "city": "Lyon", "language": "fr"}


@dataclass(frozen=True)
class PreviewQuestion:
    number: int
    code: str
    type: str
    text: str
    required: bool
    points: list[int] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    condition: str = ""
    known_from: str = ""


@dataclass(frozen=True)
class Preview:
    language: str
    intro: str
    questions: list[PreviewQuestion]
    thanks: list[tuple[str, str]]
    email_subject: str
    email_body: str


def _text(texts: object, language: str) -> str:
    """The text in `language`, else in French (the language every survey has), personalised."""
    if not isinstance(texts, dict):
        return ""
    return render(str(texts.get(language) or texts.get("fr") or ""), EXAMPLE_CUSTOMER)


def _condition(show_if: dict[str, Any] | None) -> str:
    if not show_if:
        return ""
    return _("Shown only when the answer to “%(code)s” is between %(min)s and %(max)s.") % {
        "code": show_if.get("question", ""),
        "min": show_if.get("min", "…"),
        "max": show_if.get("max", "…"),
    }


def preview_question(number: int, entry: dict[str, Any], language: str) -> PreviewQuestion:
    kind = str(entry.get("type", ""))
    low, high = SCALES.get(kind, (0, -1))
    options = [
        str(option.get(language) or option.get("fr") or option.get("value", ""))
        for option in entry.get("options") or []
        if isinstance(option, dict)
    ]
    return PreviewQuestion(
        number=number,
        code=str(entry.get("code", "")),
        type=kind,
        text=_text(entry.get("text"), language),
        required=bool(entry.get("required")),
        points=list(range(low, high + 1)),
        options=options if kind in (QuestionType.CHOICE, QuestionType.MULTI) else [],
        condition=_condition(entry.get("show_if")),
        known_from=str(entry.get("known_from") or ""),
    )


def preview(document: dict[str, Any], language: str) -> Preview:
    thanks = document.get("thanks") or {}
    email = document.get("email") or {}
    return Preview(
        language=language,
        intro=_text(document.get("intro"), language),
        questions=[
            preview_question(number, entry, language)
            for number, entry in enumerate(document.get("questions") or [], start=1)
        ],
        thanks=[(level, _text(thanks[level], language)) for level in THANKS_LEVELS if level in thanks],
        email_subject=_text(email.get("subject"), language),
        email_body=_text(email.get("body"), language),
    )
