"""The few statements that record an answer, each one round trip to the database.

An answer on an invitation's page writes, in one transaction: the invitation's response (one upsert,
which also locks its row), the answer (one upsert), then reads the response's answers to know whether
it is complete, and closes it (one update of the response, one of the invitation). On PostgreSQL,
where each statement is a round trip to the server, the two upserts are one statement, and so are
the two updates; and an invitation's first answer, when the lookup found no response, is one
statement that commits on its own (start_with_answer), with no BEGIN nor COMMIT to wait for. The
locked response row puts simultaneous submits of one invitation one after the other; the one-to-one
constraint on Response.invitation makes the upsert find the response another request created rather
than add a second one.
"""

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone

from ecoute.analytics.nps import level_of
from ecoute.lib.prepared import prepared_cursor
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
# PostgreSQL runs a data-modifying WITH: the two upserts, or the two updates, in one round trip each.
# xmax is 0 on a row the upsert inserted, the locking transaction's id on one it found and locked.
# The invitation's row is locked first, as the API's whole responses and start_with_answer lock it:
# a web answer completing the response while the API writes one for the same invitation would
# otherwise each hold the row the other waits for.
CLAIM_WITH_ANSWER = (
    "WITH locked AS (SELECT id FROM listening_invitation WHERE id = %s FOR UPDATE), "
    "claimed AS (INSERT INTO listening_response (organization_id, survey_id, invitation_id, customer_id, "
    "channel, language, started_at, nps_level) SELECT %s, %s, id, %s, %s, %s, %s, '' FROM locked "
    "ON CONFLICT (invitation_id) DO UPDATE SET invitation_id = EXCLUDED.invitation_id "
    "RETURNING id, completed_at, xmax = 0 AS created), saved AS ("
    "INSERT INTO listening_answer (response_id, question_id, number, importance, choices, text, "
    "answered_at) SELECT id, %s, %s, %s, %s, %s, %s FROM claimed WHERE completed_at IS NULL "
    "ON CONFLICT (response_id, question_id) DO UPDATE "
    "SET number = EXCLUDED.number, importance = EXCLUDED.importance, choices = EXCLUDED.choices, "
    "text = EXCLUDED.text, answered_at = EXCLUDED.answered_at) "
    "SELECT id, completed_at, created FROM claimed"
)
COMPLETE_WITH_INVITATION = (
    "WITH completed AS (UPDATE listening_response SET completed_at = %s, nps_level = %s WHERE id = %s) "
    "UPDATE listening_invitation SET status = %s WHERE id = %s"
)
# PostgreSQL, an invitation's first answer (the lookup found no response): its row locked first, as
# the API's whole responses do; the response created, completed already when this answer is the last
# one asked; the answer written; the invitation moved on. One statement, which commits on its own.
# When another request's response got there first, it writes nothing and returns no row.
START_WITH_ANSWER = (
    "WITH locked AS (SELECT id FROM listening_invitation WHERE id = %s FOR UPDATE), "
    "claimed AS (INSERT INTO listening_response (organization_id, survey_id, invitation_id, customer_id, "
    "channel, language, started_at, completed_at, nps_level) SELECT %s, %s, id, %s, %s, %s, %s, %s, %s "
    "FROM locked ON CONFLICT (invitation_id) DO NOTHING RETURNING id, invitation_id), "
    "saved AS (INSERT INTO listening_answer (response_id, question_id, number, importance, choices, text, "
    "answered_at) SELECT id, %s, %s, %s, %s, %s, %s FROM claimed), "
    "moved AS (UPDATE listening_invitation SET status = %s "
    "WHERE id = (SELECT invitation_id FROM claimed) AND status = ANY(%s)) "
    "SELECT id FROM claimed"
)
ANSWER_SCORES = "SELECT id, question_id, number, importance FROM listening_answer WHERE response_id = %s"
COMPLETE_RESPONSE = "UPDATE listening_response SET completed_at = %s, nps_level = %s WHERE id = %s"
SET_INVITATION_STATUS = "UPDATE listening_invitation SET status = %s WHERE id = %s"


@dataclass(frozen=True)
class Claimed:
    """The invitation's response: its id, whether it was completed before this request, and whether this
    request started it (known on PostgreSQL only: elsewhere False, which costs a read of its answers)."""

    response_id: int
    completed: bool
    created: bool = False


def claim_with_answer(
    invitation: Invitation, language: str, question: Question, value: AnswerValue
) -> Claimed:
    """The invitation's response, started now if it has none, its row locked until the transaction
    ends, and the answer to `question` written into it unless it was completed already.

    INSERT … ON CONFLICT (invitation_id) DO UPDATE: when another request holds the row (it created or
    is answering the same response), this one waits for it to end, then sees what it wrote — a
    response it completed comes back completed. One statement on PostgreSQL (a WITH that also
    upserts the answer), two elsewhere. Must run inside a transaction.
    """
    channel = ResponseChannel.EMAIL if invitation.channel == "email" else ResponseChannel.WEB
    started = connection.ops.adapt_datetimefield_value(timezone.now())
    response: list[Any] = [
        invitation.organization_id,
        invitation.survey_id,
        invitation.pk,
        invitation.customer_id,
        str(channel),
        language,
        started,
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            locked = [invitation.pk, *response[:2], *response[3:]]
            cursor.execute(CLAIM_WITH_ANSWER, locked + _answer_values(question, value))
            row = cursor.fetchone()
            if row is None:  # the invitation was deleted meanwhile (its organization left)
                raise Invitation.DoesNotExist
            response_id, completed_at, created = row
            return Claimed(int(response_id), completed_at is not None, bool(created))
        cursor.execute(CLAIM_RESPONSE, response)
        response_id, completed_at = cursor.fetchone()
    claimed = Claimed(int(response_id), completed_at is not None)
    if not claimed.completed:
        save_answer(claimed.response_id, question, value)
    return claimed


def start_with_answer(
    invitation: Invitation, response: Response, question: Question, value: AnswerValue, moves_from: list[str]
) -> int | None:
    """PostgreSQL: the invitation's `response` (not saved yet: its language, and its completed_at and
    nps_level when this answer completes it) started with its first answer in one statement; the
    invitation's status moved to completed or started when it is one of `moves_from`. The response's
    id; None when the invitation has a response already (another request's): nothing was written."""
    channel = ResponseChannel.EMAIL if invitation.channel == "email" else ResponseChannel.WEB
    completed = response.completed_at is not None
    status = InvitationStatus.COMPLETED if completed else InvitationStatus.STARTED
    values: list[Any] = [
        invitation.pk,
        invitation.organization_id,
        invitation.survey_id,
        invitation.customer_id,
        str(channel),
        response.language,
        timezone.now(),
        response.completed_at,
        response.nps_level,
        *_answer_values(question, value),
        str(status),
        moves_from,
    ]
    with prepared_cursor() as cursor:
        cursor.execute(START_WITH_ANSWER, values)
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def _answer_values(question: Question, value: AnswerValue) -> list[Any]:
    choices = Answer._meta.get_field("choices").get_db_prep_save(value.choices, connection)
    answered = connection.ops.adapt_datetimefield_value(timezone.now())
    return [question.pk, value.number, value.importance, choices, value.text, answered]


def save_answer(response_id: int, question: Question, value: AnswerValue) -> None:
    """The response's answer to the question, written or replaced in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(SAVE_ANSWER, [response_id, *_answer_values(question, value)])


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


def nps_level(questions: list[Question], answers: dict[int, Answer]) -> str:
    """The respondent's level (promoter, passive, detractor) from their NPS answer; "" without one."""
    nps = next(
        (answers[q.pk].number for q in questions if q.type == QuestionType.NPS and q.pk in answers), None
    )
    return str(level_of(nps)) if nps is not None else ""


def complete_response(response: Response, questions: list[Question], answers: dict[int, Answer]) -> None:
    """Close the response, set its NPS level from the NPS answer, and its invitation's status."""
    response.completed_at = timezone.now()
    response.nps_level = nps_level(questions, answers)
    completed_at = connection.ops.adapt_datetimefield_value(response.completed_at)
    with connection.cursor() as cursor:
        if response.invitation_id and connection.vendor == "postgresql":
            completion: list[Any] = [completed_at, response.nps_level, response.pk]
            invitation = [str(InvitationStatus.COMPLETED), response.invitation_id]
            cursor.execute(COMPLETE_WITH_INVITATION, completion + invitation)
            return
        cursor.execute(COMPLETE_RESPONSE, [completed_at, response.nps_level, response.pk])
        if response.invitation_id:
            cursor.execute(SET_INVITATION_STATUS, [str(InvitationStatus.COMPLETED), response.invitation_id])
