"""Operations of the listening program that write several rows, each in one transaction."""

from datetime import datetime

from django.db import transaction

from ecoute.accounts.models import Organization
from ecoute.listening.audiences import read_audience
from ecoute.listening.defaults import create_defaults
from ecoute.listening.invitation_emails import queue_invitation_emails
from ecoute.listening.models import MAX_KEY_CRITERIA, ContactPolicy, Criterion, Survey, SurveyStatus
from ecoute.listening.planning import PlannedInvitations, plan_invitations


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
    others = Criterion.objects.select_for_update().filter(organization=criterion.organization)
    if criterion.pk:
        others = others.exclude(pk=criterion.pk)
    key_others = sum(1 for other in others if other.is_key)
    if criterion.is_key and key_others >= MAX_KEY_CRITERIA:
        raise TooManyKeyCriteriaError
    if not criterion.pk:
        criterion.position = max((other.position for other in others), default=-1) + 1
    criterion.save()
    return criterion


class SurveyNotActiveError(Exception):
    """Only an active survey invites."""


@transaction.atomic
def invite(survey: Survey, now: datetime | None = None) -> PlannedInvitations:
    """Plan the survey's wave (or its invitations now due) and queue the e-mail of every invited
    customer, in one transaction: the link tokens never outlive it in clear."""
    if survey.status != SurveyStatus.ACTIVE:
        raise SurveyNotActiveError
    planned = plan_invitations(survey, now)
    queue_invitation_emails(survey, planned.tokens, planned.send_at)
    return planned


@transaction.atomic
def activate_survey(survey: Survey) -> None:
    """Make the survey active, once its audience reads well (AudienceError otherwise)."""
    read_audience(survey.audience, survey.kind)
    survey.status = SurveyStatus.ACTIVE
    survey.save(update_fields=["status", "updated_at"])
