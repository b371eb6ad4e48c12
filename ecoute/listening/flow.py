"""The path a respondent takes through a survey: which questions they see, in which language, and
what each answer holds once read from a form or an API body.

A question is left out when the customer's record already holds the CRM field it duplicates
(`known_from`), and when its `show_if` range does not contain the earlier answer it depends on (a
detractor is asked "what went wrong?", a promoter "what did you like most?").
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer
from ecoute.lib.api_values import CONTROL_CHARACTERS
from ecoute.lib.quantities import grouped
from ecoute.listening.models import SCALES, Answer, Question, QuestionType, Response, Survey
from ecoute.listening.personalize import customer_values, render

MAX_TEXT_LENGTH = 5000
SUPPORTED_LANGUAGES = frozenset(code for code, _name in settings.LANGUAGES)


def answer_language(survey: Survey, organization: Organization, customer: Customer | None) -> str:
    """The customer's language when the survey speaks it, else the organization's."""
    offered = [code for code in survey.languages or [] if code in SUPPORTED_LANGUAGES] or ["fr"]
    wanted = (customer.language if customer else "")[:2].lower()
    if wanted in offered:
        return wanted
    return organization.language if organization.language in offered else offered[0]


def question_text(question: Question, language: str, customer: Customer | None) -> str:
    """The question in the respondent's language, its placeholders filled for the customer."""
    text = (question.text_en if language == "en" and question.text_en else question.text_fr) or ""
    return personal_text(text, customer)


def personal_text(text: str, customer: Customer | None) -> str:
    """`text` with {first_name|fallback} placeholders filled; an anonymous respondent gets the fallbacks."""
    return render(text, customer_values(customer) if customer is not None else {})


def option_label(option: Mapping[str, Any], language: str) -> str:
    return str(option.get(language) or option.get("fr") or option.get("value", ""))


def is_known(question: Question, customer: Customer | None) -> bool:
    """The customer's record holds the CRM field the question would ask for (a column or a CRM field)."""
    name = question.known_from.strip()
    if not name or customer is None:
        return False
    value = customer_values(customer).get(name)
    return value not in (None, "", [], {}) and str(value).strip() != ""


def _shown_by_rule(question: Question, numbers: Mapping[str, int | None]) -> bool:
    rule = question.show_if
    if not rule:
        return True
    number = numbers.get(str(rule.get("question", "")))
    if number is None:
        return False
    low, high = rule.get("min"), rule.get("max")
    return (low is None or number >= int(low)) and (high is None or number <= int(high))


def visible_questions(
    questions: Iterable[Question], customer: Customer | None, answers: Mapping[int, Answer]
) -> list[Question]:
    """The questions this respondent is asked, in order, given what they have answered so far."""
    numbers: dict[str, int | None] = {}
    shown = []
    for question in questions:
        answer = answers.get(question.pk)
        numbers[question.code] = answer.number if answer else None
        if is_known(question, customer) or not _shown_by_rule(question, numbers):
            continue
        shown.append(question)
    return shown


def next_question(visible: Sequence[Question], answers: Mapping[int, Answer]) -> Question | None:
    return next((question for question in visible if question.pk not in answers), None)


@dataclass
class AnswerValue:
    """What one answer holds; all empty when an optional question is passed over."""

    number: int | None = None
    importance: int | None = None
    choices: list[str] | None = None
    text: str = ""

    @property
    def is_empty(self) -> bool:
        return self.number is None and self.importance is None and not self.choices and not self.text

    def answer(self, response: Response, question: Question, answered_at: datetime | None = None) -> Answer:
        """The row that keeps this value as `response`'s answer to `question` (answered now by default)."""
        return Answer(
            response=response,
            question=question,
            number=self.number,
            importance=self.importance,
            choices=self.choices,
            text=self.text,
            answered_at=answered_at or timezone.now(),
        )


@dataclass
class ReadAnswer:
    value: AnswerValue = field(default_factory=AnswerValue)
    error: str = ""


def _integer(raw: Any, low: int, high: int) -> int | None:
    """The whole number `raw` within [low, high]; None when absent; ValueError when out of bounds."""
    if raw is None or raw == "":
        return None
    number = int(str(raw).strip())
    if not low <= number <= high:
        raise ValueError(raw)
    return number


def read_answer(question: Question, data: Mapping[str, Any]) -> ReadAnswer:
    """Read `question`'s answer from form or API fields: score, importance, choice(s), text."""
    kind = question.type
    value = AnswerValue()
    try:
        if kind in SCALES:
            low, high = SCALES[kind]
            value.number = _integer(data.get("score"), low, high)
            if kind == QuestionType.IMPORTANCE_SATISFACTION:
                value.importance = _integer(data.get("importance"), low, high)
        elif kind == QuestionType.YES_NO:
            value.number = _integer(data.get("score"), 0, 1)
        elif kind in (QuestionType.CHOICE, QuestionType.MULTI):
            allowed = {str(option.get("value")) for option in question.options or []}
            picked = [str(choice) for choice in data.get("choices") or []]
            if set(picked) - allowed or (kind == QuestionType.CHOICE and len(picked) > 1):
                raise ValueError(picked)
            value.choices = sorted(set(picked), key=picked.index) or None
        else:
            # A form may carry a NUL (which PostgreSQL refuses) or other control characters: dropped.
            value.text = CONTROL_CHARACTERS.sub("", str(data.get("text") or "")).strip()
            if len(value.text) > MAX_TEXT_LENGTH:
                return ReadAnswer(
                    value,
                    _("Your answer is too long: at most %(count)s characters.")
                    % {"count": grouped(MAX_TEXT_LENGTH)},
                )
    except (TypeError, ValueError):
        return ReadAnswer(value, _("This answer is not one of the choices offered."))
    incomplete = kind == QuestionType.IMPORTANCE_SATISFACTION and (value.number is None) != (
        value.importance is None
    )
    if incomplete or (question.required and value.is_empty):
        return ReadAnswer(value, _("Please answer this question."))
    return ReadAnswer(value)


def thanks_text(survey: Survey, level: str, language: str, customer: Customer | None) -> str:
    """The survey's thank-you text for the respondent's level, else its default one, else ours."""
    texts = survey.thanks if isinstance(survey.thanks, dict) else {}
    for key in (level, "default"):
        by_language = texts.get(key) if key else None
        if isinstance(by_language, dict) and (text := by_language.get(language) or by_language.get("fr")):
            return personal_text(str(text), customer)
    defaults = {
        "promoter": _("Thank you! We are delighted you would recommend us."),
        "passive": _("Thank you! Your answers help us do better."),
        "detractor": _(
            "Thank you for telling us. We are sorry we let you down, and we will use what you said."
        ),
    }
    return defaults.get(level, _("Thank you for your answers."))
