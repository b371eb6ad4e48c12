"""Operations of the listening program that write several rows, each in one transaction."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ecoute.accounts.models import Organization
from ecoute.listening.defaults import create_defaults
from ecoute.listening.models import (
    MAX_KEY_CRITERIA,
    Answer,
    ContactPolicy,
    Criterion,
    Question,
    Survey,
    SurveyKind,
)
from ecoute.listening.queries import known_customer_fields
from ecoute.listening.survey_files import Problem, SurveyFileError, check_document, criterion_codes


@transaction.atomic
def ensure_listening_defaults(organization: Organization) -> int:
    """Give the organization the shipped criteria and a contact policy unless it has them; rerunnable."""
    return create_defaults(organization, Criterion, ContactPolicy)


class TooManyKeyCriteriaError(Exception):
    """A fourth key criterion: the company's key three are at most three."""


@transaction.atomic
def save_criterion(criterion: Criterion) -> Criterion:
    """Create or update a criterion, keeping at most three key ones per organization.

    The organization's criteria are locked first, so that two people marking a key criterion at the
    same moment cannot make four between them.
    """
    locked = Criterion.objects.select_for_update().filter(organization=criterion.organization)
    others = list(locked.exclude(pk=criterion.pk) if criterion.pk else locked)
    key_others = sum(1 for other in others if other.is_key)
    if criterion.is_key and key_others >= MAX_KEY_CRITERIA:
        raise TooManyKeyCriteriaError
    if not criterion.pk:
        criterion.position = max((other.position for other in others), default=-1) + 1
    criterion.save()
    return criterion


@transaction.atomic
def import_survey(organization: Organization, document: object) -> tuple[Survey, bool]:
    """Create the survey of `document`, or update the organization's survey with its slug; all or nothing.

    Questions are matched by code: changed in place, added, or removed when absent from the file.
    A question that has answers is never removed nor given another type, nor loses an option that
    answers chose, so that no answer is lost:
    the file is refused, naming it. A new survey is a draft; an existing one keeps its status.
    Returns the survey and whether it was created.
    """
    checked = check_document(document, criterion_codes(organization.pk), known_customer_fields(organization))
    survey = (
        Survey.objects.select_for_update().filter(organization=organization, slug=checked["slug"]).first()
    )
    created = survey is None
    if survey is None:
        survey = Survey(organization=organization, slug=checked["slug"])
    _fill_survey(survey, checked)
    survey.save()
    _replace_questions(survey, checked["questions"])
    return survey, created


def _fill_survey(survey: Survey, document: dict[str, Any]) -> None:
    defaults = Survey()
    texts = {key: document.get(key, {}) for key in ("intro", "email")}
    survey.name = document["name"]
    survey.kind = document.get("kind", SurveyKind.RELATIONSHIP)
    survey.languages = document.get("languages", ["fr", "en"])
    for field in ("cooldown_days", "reminder_after_days", "expires_after_days", "min_answers"):
        setattr(survey, field, document.get(field, getattr(defaults, field)))
    survey.audience = document.get("audience", {})
    survey.intro_fr = texts["intro"].get("fr", "")
    survey.intro_en = texts["intro"].get("en", "")
    survey.thanks = document.get("thanks", {})
    survey.email_subject_fr = texts["email"].get("subject", {}).get("fr", "")
    survey.email_subject_en = texts["email"].get("subject", {}).get("en", "")
    survey.email_body_fr = texts["email"].get("body", {}).get("fr", "")
    survey.email_body_en = texts["email"].get("body", {}).get("en", "")


def _options_with_answers_removed(
    survey: Survey, entries: list[dict[str, Any]], answered: set[str]
) -> list[Problem]:
    """An option some answer chose must stay: without it the answer could not be read any more."""
    kept = {entry["code"]: {option["value"] for option in entry.get("options", [])} for entry in entries}
    chosen: dict[str, set[str]] = {}
    rows = Answer.objects.filter(
        question__survey=survey, question__code__in=answered & kept.keys(), choices__isnull=False
    ).values_list("question__code", "choices")
    for code, choices in rows.iterator():
        chosen.setdefault(code, set()).update(str(value) for value in choices or ())
    return [
        Problem(
            f"/questions/{index}/options",
            _("“%(code)s”: the option “%(option)s” has answers: keep it.")
            % {"code": entry["code"], "option": option},
        )
        for index, entry in enumerate(entries)
        for option in sorted(chosen.get(entry["code"], set()) - kept[entry["code"]])
    ]


def _replace_questions(survey: Survey, entries: list[dict[str, Any]]) -> None:
    existing = {question.code: question for question in survey.questions.select_for_update()}
    answered = set(
        Answer.objects.filter(question__survey=survey).values_list("question__code", flat=True).distinct()
    )
    problems = [
        Problem(
            f"/questions/{index}/type",
            _("“%(code)s” has answers: its type cannot change.") % {"code": entry["code"]},
        )
        for index, entry in enumerate(entries)
        if entry["code"] in answered and existing[entry["code"]].type != entry["type"]
    ]
    problems += _options_with_answers_removed(survey, entries, answered)
    kept = {entry["code"] for entry in entries}
    problems += [
        Problem("/questions", _("“%(code)s” has answers: keep it in the file.") % {"code": code})
        for code in sorted(answered - kept)
    ]
    if problems:
        raise SurveyFileError(problems)
    survey.questions.exclude(code__in=kept).delete()
    criteria = {c.code: c for c in Criterion.objects.filter(organization_id=survey.organization_id)}
    for position, entry in enumerate(entries):
        question = existing.get(entry["code"]) or Question(survey=survey, code=entry["code"])
        question.position = position
        question.type = entry["type"]
        question.text_fr = entry["text"].get("fr", "")
        question.text_en = entry["text"].get("en", "")
        question.options = entry.get("options", [])
        question.criterion = criteria.get(entry.get("criterion") or "")
        question.known_from = entry.get("known_from") or ""
        question.show_if = entry.get("show_if")
        question.required = entry.get("required", False)
        question.save()
