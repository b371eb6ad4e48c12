"""The database itself holds the listening program's rules, whatever the code above it does."""

import pytest
from django.db import IntegrityError, transaction

from ecoute.accounts.models import Organization
from ecoute.listening.models import Criterion, Invitation, Response
from tests.factories import (
    AnswerFactory,
    CriterionFactory,
    InvitationFactory,
    PublicLinkFactory,
    QuestionFactory,
    ResponseFactory,
    SurveyFactory,
)


def refused(create: object) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()  # type: ignore[operator]


@pytest.mark.django_db
def test_an_invitation_has_at_most_one_response() -> None:
    # given an invitation already answered
    invitation = InvitationFactory.create()
    ResponseFactory.create(survey=invitation.survey, invitation=invitation, customer=invitation.customer)
    # when a second response claims it / then the database refuses
    refused(lambda: ResponseFactory.create(survey=invitation.survey, invitation=invitation))
    assert Response.objects.filter(invitation=invitation).count() == 1


@pytest.mark.django_db
def test_two_invitations_or_links_never_share_a_token_hash() -> None:
    invitation = InvitationFactory.create()
    refused(lambda: InvitationFactory.create(survey=invitation.survey, token_hash=invitation.token_hash))
    link = PublicLinkFactory.create()
    refused(lambda: PublicLinkFactory.create(survey=link.survey, token_hash=link.token_hash))


@pytest.mark.django_db
def test_skipped_invitations_without_a_link_may_be_many() -> None:
    survey = SurveyFactory.create()
    InvitationFactory.create(survey=survey, token_hash=None, status="skipped", skip_reason="consent")
    InvitationFactory.create(survey=survey, token_hash=None, status="skipped", skip_reason="pressure")
    assert Invitation.objects.filter(survey=survey, token_hash__isnull=True).count() == 2


@pytest.mark.django_db
def test_a_transactional_survey_invites_at_most_once_per_event() -> None:
    # given an invitation that follows a purchase
    first = InvitationFactory.create(trigger_ref="transaction:T000042")
    # when the same event would invite again / then refused; another survey may follow the same event
    refused(lambda: InvitationFactory.create(survey=first.survey, trigger_ref="transaction:T000042"))
    InvitationFactory.create(trigger_ref="transaction:T000042")
    # and invitations without an event are not limited
    InvitationFactory.create(survey=first.survey)
    InvitationFactory.create(survey=first.survey)


@pytest.mark.django_db
def test_survey_slugs_and_criterion_codes_are_unique_within_an_organization(
    org: Organization, other_org: Organization
) -> None:
    SurveyFactory.create(organization=org, slug="nps-2026")
    SurveyFactory.create(organization=other_org, slug="nps-2026")
    refused(lambda: SurveyFactory.create(organization=org, slug="nps-2026"))
    CriterionFactory.create(organization=org, code="delivery")
    CriterionFactory.create(organization=other_org, code="delivery")
    refused(lambda: CriterionFactory.create(organization=org, code="delivery"))


@pytest.mark.django_db
def test_a_question_is_answered_once_per_response() -> None:
    answer = AnswerFactory.create()
    refused(lambda: AnswerFactory.create(response=answer.response, question=answer.question))
    refused(lambda: QuestionFactory.create(survey=answer.question.survey, code=answer.question.code))


@pytest.mark.django_db
def test_a_criterion_importance_stays_between_1_and_5(org: Organization) -> None:
    refused(lambda: CriterionFactory.create(organization=org, importance=6))
    assert not Criterion.objects.filter(importance=6).exists()


@pytest.mark.django_db
def test_only_a_skipped_invitation_keeps_a_reason() -> None:
    refused(lambda: InvitationFactory.create(status="sent", skip_reason="consent"))
