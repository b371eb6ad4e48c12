"""The demo's invitations, responses and answers, gathered in memory then written in bulk.

Invitations and answers are many and plain: they go in with one prepared INSERT run over every row
(`executemany`), several times faster than building a model instance per row. Waves go through
`bulk_create`; the ids of invitations and responses are read back by their token and invitation.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Model

from ecoute.lib.tokens import new_token, token_digest
from ecoute.listening.models import Answer, Invitation, Question, Response, Survey, Wave

BATCH = 2000
OPENED = {"opened", "started", "completed"}


@dataclass(slots=True)
class PlannedInvitation:
    survey: Survey
    wave: Wave | None
    customer_id: int
    status: str
    created_at: datetime
    skip_reason: str = ""
    trigger_ref: str = ""
    token_hash: str | None = None


@dataclass(slots=True)
class PlannedResponse:
    invitation: PlannedInvitation
    language: str
    started_at: datetime
    nps_level: str
    pk: int | None = None


@dataclass(slots=True)
class PlannedAnswer:
    response: PlannedResponse
    question_id: int
    answered_at: datetime
    number: int | None
    text: str
    choices: list[str] | None


@dataclass
class Planned:
    waves: list[Wave] = field(default_factory=list)
    invitations: list[PlannedInvitation] = field(default_factory=list)
    responses: list[PlannedResponse] = field(default_factory=list)
    answers: list[PlannedAnswer] = field(default_factory=list)
    questions: dict[tuple[int, str], int] = field(default_factory=dict)

    def wave(self, survey: Survey, at: datetime) -> Wave:
        wave = Wave(survey=survey, planned_at=at)
        self.waves.append(wave)
        return wave

    def skip(
        self,
        survey: Survey,
        wave: Wave | None,
        customer_id: int,
        at: datetime,
        *,
        reason: str,
        trigger: str = "",
    ) -> None:
        self.invitations.append(PlannedInvitation(survey, wave, customer_id, "skipped", at, reason, trigger))

    def invite(
        self,
        survey: Survey,
        wave: Wave | None,
        customer: dict[str, Any],
        at: datetime,
        *,
        status: str,
        trigger: str = "",
    ) -> PlannedInvitation:
        invitation = PlannedInvitation(
            survey,
            wave,
            customer["id"],
            status,
            at,
            trigger_ref=trigger,
            token_hash=token_digest(new_token()),
        )
        self.invitations.append(invitation)
        return invitation

    def respond(
        self,
        survey: Survey,
        wave: Wave | None,
        customer: dict[str, Any],
        at: datetime,
        *,
        answered: datetime,
        level: str,
        trigger: str = "",
    ) -> PlannedResponse:
        invitation = self.invite(survey, wave, customer, at, status="completed", trigger=trigger)
        response = PlannedResponse(invitation, customer["language"] or "fr", answered, level)
        self.responses.append(response)
        return response

    def answer(
        self,
        response: PlannedResponse,
        code: str,
        at: datetime,
        *,
        number: int | None = None,
        text: str = "",
        choices: list[str] | None = None,
    ) -> None:
        survey = response.invitation.survey
        key = (survey.pk, code)
        if key not in self.questions:
            self.questions[key] = Question.objects.get(survey=survey, code=code).pk
        self.answers.append(PlannedAnswer(response, self.questions[key], at, number, text, choices))


def _wave_counts(planned: Planned) -> None:
    counts: dict[int, Counter[str]] = {id(wave): Counter() for wave in planned.waves}
    for invitation in planned.invitations:
        if invitation.wave is not None:
            counts[id(invitation.wave)]["planned"] += 1
            if invitation.skip_reason:
                counts[id(invitation.wave)][f"skipped:{invitation.skip_reason}"] += 1
    for wave in planned.waves:
        found = counts[id(wave)]
        skipped = {key.split(":", 1)[1]: n for key, n in sorted(found.items()) if key.startswith("skipped:")}
        wave.counts = {"planned": found["planned"], "skipped": skipped}


def _insert(
    model: type[Model], columns: tuple[str, ...], rows: list[tuple[Any, ...]], casts: dict[str, str]
) -> None:
    """One prepared INSERT of `columns` run over `rows`; `casts` types a placeholder on PostgreSQL."""
    postgres = connection.vendor == "postgresql"
    marks = ", ".join(f"%s{casts.get(column, '')}" if postgres else "%s" for column in columns)
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608 - our names
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])


def write_program(planned: Planned) -> dict[str, int]:
    """Write what was planned, parents first so that children find their ids."""
    moment = connection.ops.adapt_datetimefield_value
    _wave_counts(planned)
    Wave.objects.bulk_create(planned.waves, batch_size=BATCH)
    invitations = []
    for i in planned.invitations:
        sent = None if i.status == "skipped" else i.created_at
        expires = None if sent is None else sent + timedelta(days=i.survey.expires_after_days)
        opened = sent + timedelta(hours=2) if sent is not None and i.status in OPENED else None
        invitations.append((
            i.survey.organization_id, i.survey.pk, i.wave.pk if i.wave else None, i.customer_id, "email",
            i.token_hash, i.status, i.skip_reason, i.trigger_ref, moment(i.created_at), moment(sent),
            moment(expires), moment(opened),
        ))  # fmt: skip
    columns = (
        "organization_id", "survey_id", "wave_id", "customer_id", "channel", "token_hash", "status",
        "skip_reason", "trigger_ref", "created_at", "sent_at", "expires_at", "opened_at",
    )  # fmt: skip
    _insert(Invitation, columns, invitations, {})
    surveys = {invitation.survey.pk for invitation in planned.invitations}
    invitation_ids = dict(
        Invitation.objects.filter(survey_id__in=surveys, status="completed").values_list("token_hash", "id")
    )
    responses = [
        (r.invitation.survey.organization_id, r.invitation.survey.pk, invitation_ids[r.invitation.token_hash],
         r.invitation.customer_id, "email", r.language, moment(r.started_at),
         moment(r.started_at + timedelta(minutes=2)), r.nps_level)
        for r in planned.responses
    ]  # fmt: skip
    response_columns = (
        "organization_id", "survey_id", "invitation_id", "customer_id", "channel", "language", "started_at",
        "completed_at", "nps_level",
    )  # fmt: skip
    _insert(Response, response_columns, responses, {})
    response_ids = dict(Response.objects.filter(survey_id__in=surveys).values_list("invitation_id", "id"))
    for response in planned.responses:
        response.pk = response_ids[invitation_ids[response.invitation.token_hash]]
    answers = [
        (a.response.pk, a.question_id, a.number, None if a.choices is None else json.dumps(a.choices), a.text,
         moment(a.answered_at))
        for a in planned.answers
    ]  # fmt: skip
    _insert(
        Answer,
        ("response_id", "question_id", "number", "choices", "text", "answered_at"),
        answers,
        {"choices": "::jsonb"},
    )
    return {
        "invitations": len(planned.invitations),
        "responses": len(planned.responses),
        "answers": len(planned.answers),
    }
