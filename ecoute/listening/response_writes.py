"""The few statements that record an answer, each one round trip to the database.

An answer on an invitation's page writes, in one transaction: the invitation's response (one upsert,
which also locks its row), the answer (one upsert), then reads the response's answers to know whether
it is complete, and closes it (one update of the response, one of the invitation). The locked
response row puts simultaneous submits of one invitation one after the other; the one-to-one
constraint on Response.invitation makes the upsert find the response another request created rather
than add a second one.
"""

from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from ecoute.analytics.nps import level_of
from ecoute.listening.flow import AnswerValue
from ecoute.listening.models import (
    Answer,
    Invitation,
    InvitationStatus,
    Question,
    QuestionType,
    Response,
    ResponseChannel,
)

# Standard SQL that SQLite (3.35+) and PostgreSQL both run, on the columns of Response, Answer and
# Invitation: each statement of an answer costs its own run, not the ORM's compiling it again.
CLAIM_RESPONSE = (
    "INSERT INTO listening_response (organization_id, survey_id, invitation_id, customer_id, channel, "
    "language, started_at, nps_level) VALUES (%s, %s, %s, %s, %s, %s, %s, '') "
    "ON CONFLICT (invitation_id) DO UPDATE SET invitation_id = EXCLUDED.invitation_id "
    "RETURNING id, completed_at"
)  # not "completed_at IS NOT NULL": SQLite 3.40 answers 1 for a NULL there
SAVE_ANSWER = (
    "INSERT INTO listening_answer (response_id, question_id, number, importance, choices, text, "
    "answered_at) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (response_id, question_id) DO UPDATE "
    "SET number = EXCLUDED.number, importance = EXCLUDED.importance, choices = EXCLUDED.choices, "
    "text = EXCLUDED.text, answered_at = EXCLUDED.answered_at"
)
ANSWER_SCORES = "SELECT id, question_id, number, importance FROM listening_answer WHERE response_id = %s"
COMPLETE_RESPONSE = "UPDATE listening_response SET completed_at = %s, nps_level = %s WHERE id = %s"
SET_INVITATION_STATUS = "UPDATE listening_invitation SET status = %s WHERE id = %s"


@dataclass(frozen=True)
class Claimed:
    """The invitation's response: its id, and whether it was completed before this request."""

    response_id: int
    completed: bool


def claim_response(invitation: Invitation, language: str) -> Claimed:
    """The invitation's response, started now if it has none, its row locked until the transaction ends.

    One statement: INSERT … ON CONFLICT (invitation_id) DO UPDATE. When another request holds the row
    (it created or is answering the same response), this one waits for it to end, then sees what it
    wrote — a response it completed comes back completed. Must run inside a transaction.
    """
    channel = ResponseChannel.EMAIL if invitation.channel == "email" else ResponseChannel.WEB
    started = connection.ops.adapt_datetimefield_value(timezone.now())
    parameters = [
        invitation.organization_id,
        invitation.survey_id,
        invitation.pk,
        invitation.customer_id,
        str(channel),
        language,
        started,
    ]
    with connection.cursor() as cursor:
        cursor.execute(CLAIM_RESPONSE, parameters)
        response_id, completed_at = cursor.fetchone()
    return Claimed(int(response_id), completed_at is not None)


def save_answer(response_id: int, question: Question, value: AnswerValue) -> None:
    """The response's answer to the question, written or replaced in one statement."""
    choices = Answer._meta.get_field("choices").get_db_prep_save(value.choices, connection)
    answered = connection.ops.adapt_datetimefield_value(timezone.now())
    parameters = [response_id, question.pk, value.number, value.importance, choices, value.text, answered]
    with connection.cursor() as cursor:
        cursor.execute(SAVE_ANSWER, parameters)


def answers_of_response(response_id: int) -> dict[int, Answer]:
    """The response's answers by question id, with what deciding its completion needs: their scores
    (number, importance), not their texts nor choices."""
    with connection.cursor() as cursor:
        cursor.execute(ANSWER_SCORES, [response_id])
        rows = cursor.fetchall()
    return {
        question_id: Answer(
            pk=pk, response_id=response_id, question_id=question_id, number=number, importance=importance
        )
        for pk, question_id, number, importance in rows
    }


def complete_response(response: Response, questions: list[Question], answers: dict[int, Answer]) -> None:
    """Close the response, set its NPS level from the NPS answer, and its invitation's status."""
    nps = next(
        (answers[q.pk].number for q in questions if q.type == QuestionType.NPS and q.pk in answers), None
    )
    response.completed_at = timezone.now()
    response.nps_level = str(level_of(nps)) if nps is not None else ""
    completed_at = connection.ops.adapt_datetimefield_value(response.completed_at)
    with connection.cursor() as cursor:
        cursor.execute(COMPLETE_RESPONSE, [completed_at, response.nps_level, response.pk])
        if response.invitation_id:
            cursor.execute(SET_INVITATION_STATUS, [str(InvitationStatus.COMPLETED), response.invitation_id])
