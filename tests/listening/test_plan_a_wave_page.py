"""The "Plan a wave" and "Activate" pages: a preview before sending, overlaps flagged, analysts only."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import Organization, Role
from ecoute.listening.models import Invitation, Survey
from ecoute.messaging.models import Message
from tests.conftest import member_client
from tests.factories import MembershipFactory, SurveyFactory
from tests.listening.planning_helpers import consenting, every_situation, policy

NOW = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Paris


@pytest.fixture
def analyst(org: Organization) -> Client:
    return member_client(MembershipFactory.create(organization=org, role=Role.ANALYST))


@pytest.fixture
def survey(org: Organization) -> Survey:
    policy(org)
    survey = SurveyFactory.create(organization=org, slug="nps", name="NPS relationnel", status="active")
    every_situation(org, survey, NOW)
    return survey


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_plan_page_previews_the_wave_by_reason_with_a_sample(analyst: Client, survey: Survey) -> None:
    # when an analyst opens the page
    page = analyst.get(reverse("listening:survey_plan", args=[survey.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    # then it says who would be invited and skipped, by reason, naming a few customers, and wrote nothing
    body = page.content.decode()
    assert page.status_code == 200
    assert "Pas de consentement" in body
    assert "Pression de contact" in body
    assert "Jeanne Dupont" in body
    assert "Envoyer les invitations" in body
    assert Invitation.objects.filter(survey=survey, wave__isnull=False).count() == 0


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_confirming_the_plan_invites_and_queues_the_emails(analyst: Client, survey: Survey) -> None:
    # when the analyst confirms
    response = analyst.post(reverse("listening:survey_plan", args=[survey.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    # then the wave is planned, its e-mail queued, and they are back on the survey's page
    assert response.status_code == 302
    assert response["Location"] == reverse("listening:survey_detail", args=[survey.pk])
    assert Invitation.objects.filter(survey=survey, wave__isnull=False).count() == 8
    assert Message.objects.filter(purpose="survey_invitation").count() == 1
    page = analyst.get(response["Location"], HTTP_ACCEPT_LANGUAGE="fr")
    assert "1 client invité, 7 écartés." in page.content.decode()


@pytest.mark.django_db
def test_only_analysts_and_above_plan_and_another_orgs_survey_is_not_found(
    org: Organization, other_org: Organization, analyst: Client
) -> None:
    # given a viewer, and a survey of another organization
    ours = SurveyFactory.create(organization=org, slug="ours")
    theirs = SurveyFactory.create(organization=other_org, slug="theirs", status="active")
    viewer = member_client(MembershipFactory.create(organization=org, role=Role.VIEWER))
    # then the viewer is refused, and the other organization's survey does not exist here
    assert viewer.get(reverse("listening:survey_plan", args=[ours.pk])).status_code == 403
    assert viewer.post(reverse("listening:survey_activate", args=[ours.pk])).status_code == 403
    assert analyst.get(reverse("listening:survey_plan", args=[theirs.pk])).status_code == 404
    assert analyst.post(reverse("listening:survey_plan", args=[theirs.pk])).status_code == 404
    assert analyst.get(reverse("listening:survey_detail", args=[theirs.pk])).status_code == 404
    assert Invitation.objects.count() == 0


@pytest.mark.django_db
def test_a_bad_audience_is_shown_not_planned(org: Organization, analyst: Client) -> None:
    bad = SurveyFactory.create(
        organization=org, slug="bad", status="active", audience={"segment": {"tag": ["vip"]}}
    )
    page = analyst.post(reverse("listening:survey_plan", args=[bad.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 422
    assert "audience.segment.tag\xa0: clé inconnue" in page.content.decode()
    assert Invitation.objects.count() == 0


@pytest.mark.django_db
def test_activating_a_survey_flags_the_active_surveys_whose_audience_overlaps(
    org: Organization, analyst: Client
) -> None:
    # given customers in Bretagne and Alsace, and an active survey of all Breton customers
    for n in range(3):
        consenting(org, f"BZH{n}", region="Bretagne")
    consenting(org, "ALS", region="Alsace")
    SurveyFactory.create(
        organization=org, name="Bretagne", status="active", audience={"segment": {"region": "Bretagne"}}
    )
    SurveyFactory.create(
        organization=org, name="Alsace", status="active", audience={"segment": {"region": "Alsace"}}
    )
    second = SurveyFactory.create(organization=org, slug="all", name="Tous", status="draft")
    # when the analyst opens the activation of a survey of every customer
    url = reverse("listening:survey_activate", args=[second.pk])
    page = analyst.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    # then each overlapping survey is named with the size of the overlap
    body = page.content.decode()
    assert "Bretagne\xa0: 3 clients dans les deux audiences" in body
    assert "Alsace\xa0: 1 client dans les deux audiences" in body
    # and confirming activates it
    assert analyst.post(url).status_code == 302
    second.refresh_from_db()
    assert second.status == "active"
