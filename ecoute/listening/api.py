"""API for listening: read surveys; invite named customers and create responses under the web's rules.

Invitations are planned by the survey's own planning (named_invitations.py): the API has no rule of
its own, and the e-mails go through the outbox, which checks consent and contact pressure again.

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

from ecoute.accounts.idempotency import idempotent
from ecoute.accounts.tenancy import current_organization
from ecoute.customers.api_problems import NOTHING_WRITTEN, in_api_language
from ecoute.customers.api_schemas import Refusal
from ecoute.customers.models import Customer
from ecoute.lib.api_values import CONTROL_CHARACTERS
from ecoute.lib.quantities import grouped
from ecoute.listening.answering import AlreadyAnsweredError, answerable_invitations, record_whole_response
from ecoute.listening.api_schemas import (
    INVITATIONS_EXAMPLES,
    MAX_NAMED_CUSTOMERS,
    InvitationsIn,
    InvitationsOut,
    ResponseIn,
    ResponseOut,
    SurveyOut,
)
from ecoute.listening.audiences import AudienceError
from ecoute.listening.contact_policy import AlwaysQuietError
from ecoute.listening.flow import AnswerValue, answer_language, read_answer, visible_questions
from ecoute.listening.models import Answer, Invitation, PublicLink, Question, Response, Survey, SurveyStatus
from ecoute.listening.named_invitations import CustomerName, NamedInvitations, invite_named, reason_label
from ecoute.listening.wave_actions import SurveyNotActiveError

router = Router(tags=["listening"])

REFUSALS: dict[int, Any] = {401: Refusal, 422: Refusal}
IDEMPOTENCY = (
    "Send an `Idempotency-Key` header to make a retry safe: the same key and body get the first answer "
    "again. An invitation has one response: a second one is refused with 409, whatever its key."
)


def _surveys(request: HttpRequest) -> QuerySet[Survey]:
    questions = Prefetch("questions", queryset=Question.objects.order_by("position", "id"))
    return Survey.objects.for_org(current_organization(request)).prefetch_related(questions)


def _slug(slug: str) -> str:
    """The slug looked up: none when it holds a NUL (which PostgreSQL refuses in a query) or another
    control character, which no slug has; so such an address is simply not found."""
    return "" if CONTROL_CHARACTERS.search(slug) else slug[:60]


@router.get("/surveys", response={200: list[SurveyOut], **REFUSALS}, summary="List surveys")
def list_surveys(request: HttpRequest) -> list[Survey]:
    return list(_surveys(request))


@router.get("/surveys/{slug}", response={200: SurveyOut, 404: Refusal, **REFUSALS}, summary="Get a survey")
def get_survey(request: HttpRequest, slug: str) -> Survey:
    return get_object_or_404(_surveys(request), slug=_slug(slug))


INVITING = (
    "Invite customers of the organization to an active survey, each named by CRM id or e-mail (at most "
    f"{MAX_NAMED_CUSTOMERS:,}), under the same rules as a wave planned on the web: the survey's audience, "
    "consent to surveys by e-mail, do-not-contact, bounced addresses, the contact pressure budget and "
    "gap, the survey's cooldown; quiet hours put the sending off (`send_at`). Each customer is answered "
    "invited, or skipped with its reason. The e-mails go through the outbox, which checks consent and "
    "contact pressure again when each leaves; their links are made then, so no token is ever answered. "
    "`dry_run` says the same without writing. A survey that is not active, or not the organization's, "
    "answers 404. Send an `Idempotency-Key` header to make a retry safe: the same key and body get the "
    "first answer again (a key is kept per survey); the same key with another body, 422."
)


@router.post(
    "/surveys/{slug}/invitations",
    response={200: InvitationsOut, 201: InvitationsOut, 400: Refusal, 404: Refusal, 409: Refusal,
              413: Refusal, **REFUSALS},
    summary="Invite customers to a survey",
    description=INVITING,
    openapi_extra=INVITATIONS_EXAMPLES,
)  # fmt: skip
def create_invitations(request: HttpRequest, slug: str, body: InvitationsIn) -> Status[Any]:
    org = current_organization(request)
    with in_api_language(request):
        if len(body.customers) > MAX_NAMED_CUSTOMERS:
            count = grouped(MAX_NAMED_CUSTOMERS)
            return Status(*_refused(_("At most %(count)s customers per request.") % {"count": count}, 413))
        survey = (
            Survey.objects.for_org(org)
            .filter(slug=_slug(slug), status=SurveyStatus.ACTIVE)
            .select_related("organization")
            .first()
        )
        if survey is None:
            return Status(*_refused(_("No active survey with this slug."), 404))
        names, problems = _read_names(body)
        if problems:
            return Status(*_refused(str(NOTHING_WRITTEN), 400, problems))

        def write() -> tuple[int, Any]:
            try:
                done = invite_named(survey, names, dry_run=body.dry_run)
            except SurveyNotActiveError:
                return _refused(_("No active survey with this slug."), 404)
            except AudienceError as error:
                return _refused(
                    _("The survey's audience cannot be used:") + " " + " ".join(error.problems), 409
                )
            except AlwaysQuietError:
                return _refused(_("The contact policy makes every day quiet: nothing can be sent."), 409)
            return (200 if body.dry_run else 201), _invitations_out(survey, body.dry_run, done)

        return Status(*idempotent(request, f"invitations:create:{survey.pk}", write))


def _read_names(body: InvitationsIn) -> tuple[list[CustomerName], list[dict[str, Any]]]:
    names, problems = [], []
    for row, named in enumerate(body.customers, start=1):
        crm_id, email = (named.crm_id or "").strip(), (named.email or "").strip().lower()
        if bool(crm_id) == bool(email):
            reason = _("Name the customer by CRM id or by e-mail, not both.") if crm_id else _(
                "Name the customer by CRM id or by e-mail.")  # fmt: skip
            field = "email" if crm_id else "crm_id"
            problems.append(_problem(row, field, named.email or named.crm_id, "required", reason))
        names.append(CustomerName(crm_id=crm_id, email=email))
    return names, problems


def _invitations_out(survey: Survey, dry_run: bool, done: NamedInvitations) -> dict[str, Any]:
    invited, skipped = [], []
    for outcome in done.outcomes:
        named = {
            "row": outcome.row,
            "crm_id": outcome.customer.external_id if outcome.customer else outcome.name.crm_id,
            "email": outcome.name.email,
            "invitation": outcome.invitation_id,
        }
        if outcome.invited:
            invited.append(named)
        else:
            skipped.append({**named, "reason": outcome.reason, "message": reason_label(outcome.reason)})
    return {
        "survey": survey.slug,
        "dry_run": dry_run,
        "wave": done.wave_id,
        "send_at": done.send_at.isoformat(),
        "deferred": done.deferred,
        "counts": done.counts(),
        "invited": invited,
        "skipped": skipped,
    }


def _problem(row: int | None, field: str, value: Any, code: str, message: str) -> dict[str, Any]:
    return {"row": row, "field": field, "value": "" if value is None else str(value), "code": code,
            "message": message}  # fmt: skip


def _refused(detail: str, status: int = 400, problems: list[dict[str, Any]] | None = None) -> tuple[int, Any]:
    return status, {"detail": detail, "problems": problems or []}


def _read_answers(
    survey: Survey, body: ResponseIn, customer: Customer | None
) -> tuple[list[tuple[Question, AnswerValue]], list[Any]]:
    ordered = list(survey.questions.all())
    questions = {question.code: question for question in ordered}
    read, problems, rows = [], [], {}
    for row, answer in enumerate(body.answers, start=1):
        question = questions.get(answer.question)
        if question is None or answer.question in rows:
            reason = (
                _("This question is answered twice.") if question else _("The survey has no such question.")
            )
            problems.append(_problem(row, "question", answer.question, "unknown_question", reason))
            continue
        rows[answer.question] = row
        result = read_answer(question, answer.model_dump())
        if result.error:
            value = answer.score if answer.score is not None else (answer.choices or answer.text)
            problems.append(_problem(row, "answer", value, "invalid_answer", result.error))
        else:
            read.append((question, result.value))
    # The questions the respondent would be asked on the web, given these answers: no other is taken.
    given = {question.pk: Answer(question=question, number=value.number) for question, value in read}
    asked = {question.code for question in visible_questions(ordered, customer, given)}
    for code, row in rows.items():
        if code not in asked:
            reason = _("The respondent is not asked this question, given their record or earlier answers.")
            problems.append(_problem(row, "question", code, "not_asked", reason))
    for code in asked - set(rows):
        if questions[code].required:
            problems.append(_problem(None, "answers", code, "required", _("Please answer this question.")))
    return read, sorted(problems, key=lambda problem: problem["row"] or 0)


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
            if not link.active or link.survey.status != SurveyStatus.ACTIVE:
                return _refused(_("This public link no longer accepts answers."), 409)
            survey = link.survey
        answers, problems = _read_answers(survey, body, invitation.customer if invitation else None)
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
