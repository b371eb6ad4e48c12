"""Recording answers: an invitation opened, each answer saved as it is given, the response completed.

One response per invitation, even when the same form is sent many times at once (a double tap, a
retried request, a scanner): every write for an invitation starts with one upsert of its response
(response_writes.claim_response), held by the one-to-one constraint on Response.invitation, which
also locks the response's row, so they run one after the other. The API's whole responses lock the
invitation's row and meet the same constraint. A write that arrives after completion changes
nothing: the caller shows the thank-you page. On PostgreSQL an invitation's first answer is one
statement that locks the invitation's row and inserts its response only if it has none
(response_writes.start_with_answer); when another request's response is there, it writes nothing
and the general path takes over.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ecoute.customers.models import Customer
from ecoute.lib.tokens import token_digest
from ecoute.listening.flow import AnswerValue, next_question, visible_questions
from ecoute.listening.link_lookup import open_invitation
from ecoute.listening.models import (
    Answer,
    Invitation,
    InvitationLink,
    InvitationStatus,
    PublicLink,
    Question,
    Response,
    ResponseChannel,
    SurveyStatus,
)
from ecoute.listening.response_writes import (
    answers_of_response,
    claim_with_answer,
    complete_response,
    nps_level,
    save_answer,
    start_with_answer,
)
from ecoute.listening.survey_questions import survey_questions

# An invitation whose link can still be answered; completed, expired, revoked and skipped ones cannot.
ANSWERABLE = (
    InvitationStatus.PLANNED,
    InvitationStatus.QUEUED,
    InvitationStatus.SENT,
    InvitationStatus.BOUNCED,
    InvitationStatus.OPENED,
    InvitationStatus.STARTED,
)
ANSWERABLE_STATUSES = tuple(str(status) for status in ANSWERABLE)
# Statuses that opening the link moves forward to "opened".
NOT_YET_OPENED = (
    InvitationStatus.PLANNED,
    InvitationStatus.QUEUED,
    InvitationStatus.SENT,
    InvitationStatus.BOUNCED,
)
# Statuses that a first answer moves forward to "started".
NOT_YET_STARTED = (*NOT_YET_OPENED, InvitationStatus.OPENED)


def answerable_invitations(now: datetime | None = None) -> QuerySet[Invitation]:
    """Invitations whose link is still open: not expired, revoked, used, and their survey not closed."""
    now = now or timezone.now()
    return (
        Invitation.objects.filter(status__in=ANSWERABLE)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .exclude(survey__status=SurveyStatus.CLOSED)
        .exclude(response__completed_at__isnull=False)
    )


def find_invitation(token: str) -> Invitation | None:
    """The open invitation of a link's token, with its survey, customer, organization and response (if
    started); None for unknown, expired, used and revoked alike. One query (link_lookup.py)."""
    return open_invitation(token_digest(token), ANSWERABLE_STATUSES, timezone.now())


def response_of(invitation: Invitation) -> Response | None:
    """The invitation's response as find_invitation read it (None when not started)."""
    return getattr(invitation, "response", None)


def of_token(token: str, through: str = "") -> Q:
    """The invitation of a link's token, whether the first e-mail's (token_hash) or a later one's; with
    `through` ("invitation__"), as seen from a model that points to invitations."""
    digest = token_digest(token)
    linked = InvitationLink.objects.filter(token_hash=digest).values("invitation_id")
    return Q(**{f"{through}token_hash": digest}) | Q(**{f"{through}pk__in": linked})


def find_public_link(token: str) -> PublicLink | None:
    return (
        PublicLink.objects.filter(token_hash=token_digest(token), active=True)
        .filter(survey__status=SurveyStatus.ACTIVE)  # a draft is not answered yet, a closed one no more
        .select_related("survey", "organization")
        .first()
    )


def mark_opened(invitation: Invitation) -> None:
    now = timezone.now()
    Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=now)
    Invitation.objects.filter(pk=invitation.pk, status__in=NOT_YET_OPENED).update(
        status=InvitationStatus.OPENED
    )


def answers_of(response: Response | None) -> dict[int, Answer]:
    if response is None or response.pk is None:
        return {}
    return {answer.question_id: answer for answer in response.answers.all()}


@dataclass(frozen=True)
class Recorded:
    response: Response
    completed: bool


def record_invitation_answer(
    invitation: Invitation, question: Question, value: AnswerValue, *, language: str
) -> Recorded:
    """Save one answer for the invitation's response, starting it if needed, completing it when no
    question is left; a response already completed is returned unchanged."""
    survey = invitation.survey
    if connection.vendor == "postgresql" and response_of(invitation) is None:
        first = _first_answer(invitation, question, value, language)
        if first is not None:
            return first
    with transaction.atomic():
        claimed = claim_with_answer(invitation, language, question, value)
        if claimed.completed:
            done = Response.objects.select_related("survey").get(pk=claimed.response_id)
            return Recorded(done, completed=True)
        response = Response(
            pk=claimed.response_id,
            organization_id=invitation.organization_id,
            survey=survey,
            invitation=invitation,
            customer=invitation.customer,
            language=language,
        )
        # A response this request started holds this answer alone: no need to read it back.
        given = {question.pk: Answer(question=question, number=value.number, importance=value.importance)}
        completed = _complete_if_done(response, invitation.customer, given if claimed.created else None)
        if not completed and invitation.status in NOT_YET_STARTED:
            Invitation.objects.filter(pk=invitation.pk, status__in=NOT_YET_STARTED).update(
                status=InvitationStatus.STARTED
            )
    return Recorded(response, completed)


def _first_answer(
    invitation: Invitation, question: Question, value: AnswerValue, language: str
) -> Recorded | None:
    """PostgreSQL, an invitation without a response: the response started with this answer, and
    completed when no question is left, in one statement (response_writes.start_with_answer). None
    when another request started the response first, or when this answer is not one the respondent is
    asked: the general path then decides."""
    questions = survey_questions(invitation.survey)
    given = {question.pk: Answer(question=question, number=value.number, importance=value.importance)}
    visible = visible_questions(questions, invitation.customer, given)
    if all(shown.pk != question.pk for shown in visible):
        return None
    response = Response(
        organization_id=invitation.organization_id,
        survey=invitation.survey,
        invitation=invitation,
        customer=invitation.customer,
        language=language,
    )
    completed = next_question(visible, given) is None
    if completed:
        response.completed_at = timezone.now()
        response.nps_level = nps_level(questions, given)
    moves_from = InvitationStatus.values if completed else [str(status) for status in NOT_YET_STARTED]
    response.pk = start_with_answer(invitation, response, question, value, moves_from)
    if response.pk is None:
        return None
    return Recorded(response, completed)


def record_public_answer(
    link: PublicLink, response: Response | None, question: Question, value: AnswerValue, *, language: str
) -> Recorded:
    """Save one answer of an anonymous respondent, starting their response with the first one."""
    with transaction.atomic():
        if response is None:
            locked = Response.objects.create(
                organization_id=link.organization_id,
                survey_id=link.survey_id,
                public_link=link,
                channel=ResponseChannel.WEB,
                language=language,
            )
        else:
            locked = Response.objects.select_for_update().get(pk=response.pk)
        locked.survey = link.survey
        if locked.completed_at is not None:
            return Recorded(locked, completed=True)
        save_answer(locked.pk, question, value)
        return Recorded(locked, _complete_if_done(locked, None))


def _complete_if_done(
    response: Response, customer: Customer | None, known: dict[int, Answer] | None = None
) -> bool:
    """Complete the response when no question is left for the respondent (its answers `known`, else
    read). Runs with its row locked."""
    questions = survey_questions(response.survey)
    answers = answers_of_response(response.pk) if known is None else known
    visible = visible_questions(questions, customer, answers)
    if next_question(visible, answers) is not None:
        return False
    # A follow-up answered before the respondent went back and changed the score it depends on is
    # no longer theirs to give: a promoter's response holds no "what went wrong?".
    hidden = set(answers) - {question.pk for question in visible}
    if hidden:
        Answer.objects.filter(response_id=response.pk, question_id__in=hidden).delete()
        answers = {pk: answer for pk, answer in answers.items() if pk not in hidden}
    complete_response(response, questions, answers)
    return True


class AlreadyAnsweredError(Exception):
    """The invitation has a response already: one per invitation."""


def record_whole_response(
    *,
    invitation: Invitation | None,
    link: PublicLink | None,
    answers: list[tuple[Question, AnswerValue]],
    language: str,
    channel: str = ResponseChannel.API,
) -> Response:
    """A response given all at once (API, import), completed; for an invitation, only if it has none.

    Runs in the caller's transaction; the invitation's row is locked as for the web pages, and the
    one-to-one constraint turns a response that got there first into AlreadyAnsweredError.
    """
    survey_id = invitation.survey_id if invitation else link.survey_id  # type: ignore[union-attr]
    organization_id = invitation.organization_id if invitation else link.organization_id  # type: ignore[union-attr]
    if invitation is not None:
        Invitation.objects.select_for_update().get(pk=invitation.pk)
        if Response.objects.filter(invitation=invitation).exists():
            raise AlreadyAnsweredError
    try:
        with transaction.atomic():
            response = Response.objects.create(
                organization_id=organization_id,
                survey_id=survey_id,
                invitation=invitation,
                public_link=link,
                customer_id=invitation.customer_id if invitation else None,
                channel=channel,
                language=language,
            )
    except IntegrityError as error:
        raise AlreadyAnsweredError from error
    Answer.objects.bulk_create(value.answer(response, question) for question, value in answers)
    questions = [question for question, _value in answers]
    complete_response(response, questions, answers_of(response))
    return response
