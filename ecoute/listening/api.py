"""API for listening: read surveys; create responses under the web's rules.

A response names an invitation (one response each, and only while its link could be answered: not
expired, revoked or used) or a public link (active). Its answers are checked as the answering pages
check them; a refusal names the answer (row, from 1), the field, the value and the reason.
"""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Status

from ecoute.customers.api_problems import NOTHING_WRITTEN, in_api_language
from ecoute.customers.api_schemas import Refusal
from ecoute.lib.idempotency import idempotent
from ecoute.lib.tenancy import current_organization
from ecoute.listening.answering import AlreadyAnsweredError, answerable_invitations, record_whole_response
from ecoute.listening.api_schemas import ResponseIn, ResponseOut, SurveyOut
from ecoute.listening.flow import AnswerValue, answer_language, read_answer
from ecoute.listening.models import Invitation, PublicLink, Question, Response, Survey, SurveyStatus

router = Router(tags=["listening"])

REFUSALS: dict[int, Any] = {401: Refusal, 422: Refusal}
IDEMPOTENCY = (
    "Send an `Idempotency-Key` header to make a retry safe: the same key and body get the first answer "
    "again. An invitation has one response: a second one is refused with 409, whatever its key."
)


def _surveys(request: HttpRequest) -> QuerySet[Survey]:
    questions = Prefetch("questions", queryset=Question.objects.order_by("position", "id"))
    return Survey.objects.for_org(current_organization(request)).prefetch_related(questions)


@router.get("/surveys", response={200: list[SurveyOut], **REFUSALS}, summary="List surveys")
def list_surveys(request: HttpRequest) -> list[Survey]:
    return list(_surveys(request))


@router.get("/surveys/{slug}", response={200: SurveyOut, 404: Refusal, **REFUSALS}, summary="Get a survey")
def get_survey(request: HttpRequest, slug: str) -> Survey:
    return get_object_or_404(_surveys(request), slug=slug[:60])


def _problem(row: int | None, field: str, value: Any, code: str, message: str) -> dict[str, Any]:
    return {"row": row, "field": field, "value": "" if value is None else str(value), "code": code,
            "message": message}  # fmt: skip


def _refused(detail: str, status: int = 400, problems: list[dict[str, Any]] | None = None) -> tuple[int, Any]:
    return status, {"detail": detail, "problems": problems or []}


def _read_answers(survey: Survey, body: ResponseIn) -> tuple[list[tuple[Question, AnswerValue]], list[Any]]:
    questions = {question.code: question for question in survey.questions.all()}
    read, problems, seen = [], [], set()
    for row, answer in enumerate(body.answers, start=1):
        question = questions.get(answer.question)
        if question is None or answer.question in seen:
            reason = (
                _("This question is answered twice.") if question else _("The survey has no such question.")
            )
            problems.append(_problem(row, "question", answer.question, "unknown_question", reason))
            continue
        seen.add(answer.question)
        result = read_answer(question, answer.model_dump())
        if result.error:
            value = answer.score if answer.score is not None else (answer.choices or answer.text)
            problems.append(_problem(row, "answer", value, "invalid_answer", result.error))
        else:
            read.append((question, result.value))
    for code, question in questions.items():
        if question.required and code not in seen and not question.show_if and not question.known_from:
            problems.append(_problem(None, "answers", code, "required", _("Please answer this question.")))
    return read, problems


@router.post(
    "/responses",
    response={201: ResponseOut, 400: Refusal, 404: Refusal, 409: Refusal, **REFUSALS},
    summary="Record a response to an invitation or through a public link",
    description=IDEMPOTENCY,
)
def create_response(request: HttpRequest, body: ResponseIn) -> Status[Any]:
    org = current_organization(request)

    def write() -> tuple[int, Any]:
        if (body.invitation is None) == (body.public_link is None):
            return _refused(_("Give either an invitation or a public link."))
        invitation, link = None, None
        if body.invitation is not None:
            invitation = (
                answerable_invitations().filter(organization=org, pk=body.invitation).select_related(
                    "survey", "customer", "organization").first()
            )  # fmt: skip
            if invitation is None:
                if Invitation.objects.filter(organization=org, pk=body.invitation).exists():
                    return _refused(_("This invitation can no longer be answered."), 409)
                return _refused(_("Not found."), 404)
            survey = invitation.survey
        else:
            link = (
                PublicLink.objects.filter(organization=org, pk=body.public_link or 0)
                .select_related("survey")
                .first()
            )
            if link is None:
                return _refused(_("Not found."), 404)
            if not link.active or link.survey.status == SurveyStatus.CLOSED:
                return _refused(_("This public link no longer accepts answers."), 409)
            survey = link.survey
        answers, problems = _read_answers(survey, body)
        if problems:
            return _refused(str(NOTHING_WRITTEN), 400, problems)
        language = body.language or answer_language(survey, org, invitation.customer if invitation else None)
        try:
            response = record_whole_response(
                invitation=invitation, link=link, answers=answers, language=language
            )
        except AlreadyAnsweredError:
            return _refused(_("This invitation has already been answered."), 409)
        return 201, _response_out(response, survey)

    with in_api_language(request):
        return Status(*idempotent(request, "responses:create", write))


def _response_out(response: Response, survey: Survey) -> dict[str, Any]:
    return {
        "id": response.pk,
        "survey": survey.slug,
        "invitation": response.invitation_id,
        "public_link": response.public_link_id,
        "channel": response.channel,
        "language": response.language,
        "completed_at": response.completed_at.isoformat() if response.completed_at else None,
        "nps_level": response.nps_level,
    }
