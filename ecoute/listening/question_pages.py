"""What the answering page shows for one question: its text, its scale or options, the answer
already given (or the score clicked in the e-mail), the progress through the survey."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from ecoute.customers.models import Customer
from ecoute.listening.answering import answers_of
from ecoute.listening.flow import (
    is_known,
    next_question,
    option_label,
    personal_text,
    question_text,
    visible_questions,
)
from ecoute.listening.models import SCALES, Answer, Question, QuestionType, Response, Survey
from ecoute.listening.survey_questions import survey_questions


@dataclass(frozen=True)
class Place:
    """Where a respondent stands in a survey: every question, those they are asked, their answers."""

    survey: Survey
    questions: list[Question]
    visible: list[Question]
    answers: dict[int, Answer]
    language: str
    customer: Customer | None


def place_of(survey: Survey, customer: Customer | None, response: Response | None, language: str) -> Place:
    questions = survey_questions(survey)
    answers = answers_of(response)
    visible = visible_questions(questions, customer, answers)
    return Place(survey, questions, visible, answers, language, customer)


def _scale_ends(kind: str) -> tuple[str, str]:
    ends: dict[str, tuple[str, str]] = {
        QuestionType.NPS: (_("Not at all likely"), _("Extremely likely")),
        QuestionType.CSAT: (_("Very dissatisfied"), _("Very satisfied")),
        QuestionType.CES: (_("Very difficult"), _("Very easy")),
        QuestionType.RATING: (_("Poor"), _("Excellent")),
        QuestionType.IMPORTANCE_SATISFACTION: (_("Very dissatisfied"), _("Very satisfied")),
    }
    return ends.get(kind, ("", ""))


def _current_question(
    wanted: str, visible: list[Question], answers: dict[int, Answer], *, anywhere: bool = False
) -> Question | None:
    """The question asked for (?q=code, to go back) when it was reached already — or wherever it is,
    for the score clicked in the e-mail — else the next one."""
    upcoming = next_question(visible, answers)
    for question in visible:
        if question.code == wanted and (anywhere or question.pk in answers or question is upcoming):
            return question
    return upcoming or (visible[-1] if visible else None)


def _follow_ups_to_come(place: Place) -> int:
    """Screens still to come that depend on a score not given yet: one per score they depend on
    (a detractor's and a promoter's follow-ups to one score are one more screen, not two)."""
    answered = {question.code for question in place.questions if question.pk in place.answers}
    sources = {
        str(question.show_if.get("question"))
        for question in place.questions
        if question.show_if and question not in place.visible and not is_known(question, place.customer)
    }
    return len(sources - answered)


def _given(question: Question, answer: Answer | None, posted: dict[str, Any] | None) -> dict[str, Any]:
    if posted is not None:
        return {
            "score": str(posted.get("score") or ""),
            "importance": str(posted.get("importance") or ""),
            "choices": [str(choice) for choice in posted.get("choices") or []],
            "text": str(posted.get("text") or ""),
        }
    if answer is None:
        return {"score": "", "importance": "", "choices": [], "text": ""}
    return {
        "score": "" if answer.number is None else str(answer.number),
        "importance": "" if answer.importance is None else str(answer.importance),
        "choices": [str(choice) for choice in answer.choices or []],
        "text": answer.text,
    }


def question_context(
    place: Place,
    wanted: str = "",
    *,
    preselected: int | None = None,
    posted: tuple[Question, dict[str, Any], str] | None = None,
) -> dict[str, Any]:
    """The page of the question `wanted` (a code), else the next one to answer, or of the one posted."""
    visible, answers, language = place.visible, place.answers, place.language
    anywhere = preselected is not None
    question = posted[0] if posted else _current_question(wanted, visible, answers, anywhere=anywhere)
    context: dict[str, Any] = {"language": language, "question": question, "survey": place.survey}
    if question is None:
        return context
    position = visible.index(question) if question in visible else 0
    given = _given(question, answers.get(question.pk), posted[1] if posted else None)
    if preselected is not None and question.code == wanted:  # only on the question it was clicked for
        given["score"] = str(preselected)
    low_label, high_label = _scale_ends(question.type)
    low, high = SCALES.get(question.type, (0, -1))
    survey = place.survey
    later = place.questions[place.questions.index(question) + 1 :]
    intro = survey.intro_en if language == "en" and survey.intro_en else survey.intro_fr
    context.update(
        {
            "text": question_text(question, language, place.customer),
            "scale": list(range(low, high + 1)),
            "low_label": low_label,
            "high_label": high_label,
            "options": [(str(o.get("value")), option_label(o, language)) for o in question.options or []],
            "given": given,
            "error": posted[2] if posted else "",
            "step": position + 1,
            "steps": len(visible) + _follow_ups_to_come(place),
            "previous": visible[position - 1].code if position > 0 else "",
            "is_last": all(is_known(later_question, place.customer) for later_question in later),
            "intro": personal_text(intro, place.customer) if position == 0 and not answers else "",
        }
    )
    return context
