"""The customer page shows their invitations, their answers and their level from their latest NPS answer."""

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import Organization
from ecoute.listening.models import Answer, Response
from tests.factories import CustomerFactory, InvitationFactory, QuestionFactory, SurveyFactory


@pytest.mark.django_db
def test_the_customer_page_shows_invitations_answers_and_the_level_of_the_latest_nps_answer(
    org: Organization, owner_client: Client
) -> None:
    # Given a customer who was a promoter in March and a detractor in June, and was skipped once
    customer = CustomerFactory.create(organization=org)
    survey = SurveyFactory.create(organization=org, name="Baromètre NPS")
    recommend = QuestionFactory.create(survey=survey, code="recommend", type="nps")
    why = QuestionFactory.create(survey=survey, code="went_wrong", type="text")
    InvitationFactory.create(
        survey=survey, customer=customer, status="skipped", skip_reason="pressure", token_hash=None
    )
    for when, score in ((datetime(2026, 3, 2, tzinfo=UTC), 10), (datetime(2026, 6, 2, tzinfo=UTC), 4)):
        response = Response.objects.create(
            organization=org, survey=survey, customer=customer, channel="email"
        )
        Answer.objects.create(response=response, question=recommend, number=score, answered_at=when)
    Answer.objects.create(response=response, question=why, text="Colis perdu, personne au téléphone.")
    # When the customer's page is opened
    html = owner_client.get(reverse("customers:customer_detail", args=[customer.pk])).content.decode()
    # Then it shows the skipped invitation with its reason, the answers and the current level
    assert "Baromètre NPS" in html
    assert "pression de contact" in html
    assert "Colis perdu, personne au téléphone." in html
    assert 'data-level="detractor"' in html
    assert reverse("listening:survey_results", args=[survey.pk]) in html


@pytest.mark.django_db
def test_a_customer_never_asked_has_no_level(org: Organization, owner_client: Client) -> None:
    customer = CustomerFactory.create(organization=org)
    html = owner_client.get(reverse("customers:customer_detail", args=[customer.pk])).content.decode()
    assert "inconnu\xa0: aucune réponse NPS pour l’instant" in html
    assert "data-level=" not in html
