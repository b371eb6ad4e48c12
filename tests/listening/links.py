"""Invitations and public links with the clear token a test follows; only its SHA-256 is stored."""

from typing import Any

from ecoute.lib.tokens import new_token, token_digest
from ecoute.listening.models import Invitation, PublicLink, Question, Survey
from tests.factories import InvitationFactory, PublicLinkFactory, QuestionFactory, SurveyFactory


def invitation_with_token(**fields: Any) -> tuple[Invitation, str]:
    token = new_token()
    return InvitationFactory.create(token_hash=token_digest(token), **fields), token


def public_link_with_token(**fields: Any) -> tuple[PublicLink, str]:
    token = new_token()
    return PublicLinkFactory.create(token_hash=token_digest(token), **fields), token


def nps_survey(organization: Any, **fields: Any) -> Survey:
    """Recommend (NPS); what went wrong (0–6); what they liked most (9–10); their city unless known."""
    survey = SurveyFactory.create(organization=organization, status="active", **fields)
    question(
        survey,
        "recommend",
        "nps",
        "Recommanderiez-vous la Maison ?",
        "Would you recommend us?",
        required=True,
    )
    question(survey, "went_wrong", "text", "Qu'est-ce qui n'a pas été ?", "What went wrong?",
             show_if={"question": "recommend", "min": 0, "max": 6})  # fmt: skip
    question(survey, "liked_most", "text", "Qu'avez-vous le plus apprécié ?", "What did you like most?",
             show_if={"question": "recommend", "min": 9, "max": 10})  # fmt: skip
    question(survey, "city", "text", "Dans quelle ville habitez-vous ?", "Which city do you live in?",
             known_from="city")  # fmt: skip
    return survey


def question(survey: Survey, code: str, kind: str, text_fr: str, text_en: str, **fields: Any) -> Question:
    position = survey.questions.count()
    return QuestionFactory.create(
        survey=survey, code=code, type=kind, text_fr=text_fr, text_en=text_en, position=position, **fields
    )
