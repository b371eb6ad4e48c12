"""Writes of the invitation program: activating a survey, inviting its audience."""

from collections.abc import Collection
from datetime import datetime

from django.db import transaction

from ecoute.listening.audiences import read_audience
from ecoute.listening.invitation_sending import queue_invitations
from ecoute.listening.models import Invitation, Survey, SurveyStatus
from ecoute.listening.planning import PlannedInvitations, plan_invitations


class SurveyNotActiveError(Exception):
    """Only an active survey invites."""


@transaction.atomic
def invite(
    survey: Survey, now: datetime | None = None, among: Collection[int] | None = None
) -> PlannedInvitations:
    """Plan the survey's wave (or its invitations now due; only for the customers of ids `among`, when
    given) and queue the e-mail of every invited customer, in one transaction: an invitation is never
    planned without its e-mail queued."""
    if survey.status != SurveyStatus.ACTIVE:
        raise SurveyNotActiveError
    planned = plan_invitations(survey, now, among)
    queue_invitations(Invitation.objects.filter(survey=survey), now, send_after=planned.send_at)
    return planned


@transaction.atomic
def activate_survey(survey: Survey) -> None:
    """Make the survey active, once its audience reads well (AudienceError otherwise)."""
    read_audience(survey.audience, survey.kind)
    survey.status = SurveyStatus.ACTIVE
    survey.save(update_fields=["status", "updated_at"])
