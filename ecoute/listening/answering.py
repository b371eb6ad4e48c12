"""Recording answers: an invitation opened, each answer saved as it is given, the response completed.

One response per invitation, even when the same form is sent many times at once (a double tap, a
retried request, a scanner): every write for an invitation first locks the invitation's row, so
they run one after the other, and the database's one-to-one constraint on Response.invitation is
the backstop — a create that loses the race anyway (IntegrityError) takes the response that won.
A write that arrives after completion changes nothing: the caller shows the thank-you page.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ecoute.analytics.nps import level_of
from ecoute.lib.tokens import token_digest
from ecoute.listening.flow import AnswerValue, next_question, visible_questions
from ecoute.listening.models import (
    Answer,
    Invitation,
    InvitationLink,
    InvitationStatus,
    PublicLink,
    Question,
    QuestionType,
    Response,
    ResponseChannel,
    SurveyStatus,
)

# An invitation whose link can still be answered; completed, expired, revoked and skipped ones cannot.
ANSWERABLE = (
    InvitationStatus.PLANNED,
    InvitationStatus.QUEUED,
    InvitationStatus.SENT,
    InvitationStatus.BOUNCED,
    InvitationStatus.OPENED,
    InvitationStatus.STARTED,
)
# Statuses that opening the link moves forward to "opened".
NOT_YET_OPENED = (
    InvitationStatus.PLANNED,
    InvitationStatus.QUEUED,
    InvitationStatus.SENT,
    InvitationStatus.BOUNCED,
)


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
    """The open invitation of a link's token; None for unknown, expired, used and revoked alike.

    Two lookups on unique indexes (the e-mails' links, then the invitation's own token) rather than
    one OR across two tables, which no index serves."""
    digest = token_digest(token)
    linked = InvitationLink.objects.filter(token_hash=digest).values_list("invitation_id", flat=True).first()
    found = Q(pk=linked) if linked is not None else Q(token_hash=digest)
    return answerable_invitations().select_related("survey", "customer", "organization").filter(found).first()


def of_token(token: str, through: str = "") -> Q:
    """The invitation of a link's token, whether the first e-mail's (token_hash) or a later one's; with
    `through` ("invitation__"), as seen from a model that points to invitations."""
    digest = token_digest(token)
    linked = InvitationLink.objects.filter(token_hash=digest).values("invitation_id")
    return Q(**{f"{through}token_hash": digest}) | Q(**{f"{through}pk__in": linked})


def find_public_link(token: str) -> PublicLink | None:
    return (
        PublicLink.objects.filter(token_hash=token_digest(token), active=True)
        .exclude(survey__status=SurveyStatus.CLOSED)
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
    with transaction.atomic():
        locked = (
            Invitation.objects.select_related("survey", "customer")
            .select_for_update(of=("self",))
            .get(pk=invitation.pk)
        )
        response = Response.objects.filter(invitation=locked).first()
        if response is None:
            response = _start_for_invitation(locked, language)
        response.survey = locked.survey  # already read: spares a query per answer
        if response.completed_at is not None:
            return Recorded(response, completed=True)
        if locked.status in NOT_YET_OPENED or locked.status == InvitationStatus.OPENED:
            Invitation.objects.filter(pk=locked.pk).update(status=InvitationStatus.STARTED)
        completed = _save_and_maybe_complete(response, question, value, locked)
    return Recorded(response, completed)


def _start_for_invitation(invitation: Invitation, language: str) -> Response:
    try:
        with transaction.atomic():
            return Response.objects.create(
                organization_id=invitation.organization_id,
                survey_id=invitation.survey_id,
                invitation=invitation,
                customer_id=invitation.customer_id,
                channel=ResponseChannel.EMAIL if invitation.channel == "email" else ResponseChannel.WEB,
                language=language,
            )
    except IntegrityError:  # another request created it between our read and our write
        return Response.objects.get(invitation=invitation)


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
        if locked.completed_at is not None:
            return Recorded(locked, completed=True)
        return Recorded(locked, _save_and_maybe_complete(locked, question, value, None))


def _save_and_maybe_complete(
    response: Response, question: Question, value: AnswerValue, invitation: Invitation | None
) -> bool:
    Answer.objects.update_or_create(
        response=response,
        question=question,
        defaults={
            "number": value.number,
            "importance": value.importance,
            "choices": value.choices,
            "text": value.text,
            "answered_at": timezone.now(),
        },
    )
    questions = list(response.survey.questions.all())
    answers = answers_of(response)
    customer = invitation.customer if invitation else None
    visible = visible_questions(questions, customer, answers)
    if next_question(visible, answers) is not None:
        return False
    # A follow-up answered before the respondent went back and changed the score it depends on is
    # no longer theirs to give: a promoter's response holds no "what went wrong?".
    hidden = set(answers) - {question.pk for question in visible}
    if hidden:
        Answer.objects.filter(response=response, question_id__in=hidden).delete()
        answers = {pk: answer for pk, answer in answers.items() if pk not in hidden}
    complete_response(response, questions, answers)
    return True


def complete_response(response: Response, questions: list[Question], answers: dict[int, Answer]) -> None:
    """Close the response, set its NPS level from the NPS answer, and its invitation's status."""
    nps = next(
        (answers[q.pk].number for q in questions if q.type == QuestionType.NPS and q.pk in answers), None
    )
    response.completed_at = timezone.now()
    response.nps_level = str(level_of(nps)) if nps is not None else ""
    response.save(update_fields=["completed_at", "nps_level"])
    if response.invitation_id:
        Invitation.objects.filter(pk=response.invitation_id).update(status=InvitationStatus.COMPLETED)


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
    Answer.objects.bulk_create(
        Answer(
            response=response,
            question=question,
            number=value.number,
            importance=value.importance,
            choices=value.choices,
            text=value.text,
        )
        for question, value in answers
    )
    questions = [question for question, _value in answers]
    complete_response(response, questions, answers_of(response))
    return response
