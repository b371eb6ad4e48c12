"""`ecoute demo` runs a listening programme over its history: waves and after-purchase surveys,
skips with their reasons, answers that follow what happened to each customer, French verbatims."""

from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Max, Q
from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer
from ecoute.listening.models import Answer, Invitation, Response, Survey
from ecoute.retention.campaign_models import Campaign

NOW = datetime(2026, 6, 2, 9, 30, tzinfo=UTC)


def _demo(slug: str, seed: int) -> Organization:
    with time_machine.travel(NOW, tick=False):
        call_command("demo", "--org", slug, "--customers", "400", "--seed", str(seed), stdout=StringIO())
    return Organization.objects.get(slug=slug)


@pytest.fixture
def demo(settings: pytest.FixtureRequest, tmp_path: Path) -> Organization:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    return _demo("demo", 4)


def _latest_levels(organization: Organization) -> dict[int, str]:
    """Each customer's level from their latest NPS answer."""
    levels: dict[int, str] = {}
    responses = (
        Response.objects.for_org(organization)
        .exclude(nps_level="")
        .order_by("completed_at", "id")
        .values_list("customer_id", "nps_level")
    )
    for customer_id, level in responses:
        levels[customer_id] = level
    return levels


@pytest.mark.django_db
def test_the_demo_runs_nps_waves_and_after_purchase_surveys_with_skips_and_their_reasons(
    demo: Organization,
) -> None:
    # Then the two shipped surveys are there, the NPS sent in waves twice a year
    relationship = Survey.objects.get(organization=demo, slug="relationship-nps")
    after_purchase = Survey.objects.get(organization=demo, slug="after-purchase")
    months = {wave.planned_at.month for wave in relationship.waves.all()}
    assert relationship.waves.count() >= 4
    assert months == {3, 10}
    # And after-purchase invitations follow a sale each, once
    events = list(Invitation.objects.filter(survey=after_purchase).values_list("trigger_ref", flat=True))
    assert events
    assert all(event.startswith("transaction:") for event in events)
    assert len(set(events)) == len(events)
    # And some customers were skipped, each with its reason
    reasons = set(
        Invitation.objects.for_org(demo).filter(status="skipped").values_list("skip_reason", flat=True)
    )
    assert {"consent", "pressure", "cooldown"} <= reasons
    # And every response belongs to an invitation of its customer
    assert not Response.objects.for_org(demo).filter(invitation=None).exists()
    # And the written answers are French and speak of the criteria
    texts = " ".join(
        Answer.objects.filter(response__survey=relationship).exclude(text="").values_list("text", flat=True)
    )
    for word in ("livraison", "conseil", "prix", "accueil", "qualité"):
        assert word in texts.lower()


@pytest.mark.django_db
def test_in_the_demo_detractors_are_lost_more_often_than_promoters(demo: Organization) -> None:
    # Given each customer's latest level and whether they had stopped buying for a year when the demo's
    # reactivation campaign began (it brings some back, whatever their level)
    levels = _latest_levels(demo)
    launch = Campaign.objects.for_org(demo).get().launched_at
    assert launch is not None
    purchases = Q(transactions__occurred_at__lt=launch, transactions__amount__gte=0)
    bought = Max("transactions__occurred_at", filter=purchases)
    lost = set(
        Customer.objects.for_org(demo)
        .annotate(last=bought)
        .filter(last__lt=launch - timedelta(days=365))
        .values_list("id", flat=True)
    )

    def lost_share(level: str) -> float:
        customers = [customer for customer, its in levels.items() if its == level]
        assert len(customers) >= 20, level
        return sum(customer in lost for customer in customers) / len(customers)

    # Then detractors have left more often than promoters
    assert lost_share("detractor") > lost_share("promoter") + 0.1


@pytest.mark.django_db
def test_the_demos_listening_is_the_same_for_the_same_seed(demo: Organization) -> None:
    # Given a second demo organization built from the same seed
    again = _demo("demo-bis", 4)

    # Then its customers gave the same answers
    def answers(organization: Organization) -> list[tuple[str, str, int | None, str]]:
        return list(
            Answer.objects.filter(response__organization=organization)
            .order_by("response__customer__external_id", "answered_at", "question__code")
            .values_list("response__customer__external_id", "question__code", "number", "text")
        )

    assert answers(again) == answers(demo)


@pytest.mark.django_db
def test_the_demos_results_page_shows_its_nps(demo: Organization) -> None:
    client = Client()
    assert client.login(email="lecture@ecoute.local", password="ecoute-demo")
    survey = Survey.objects.get(organization=demo, slug="relationship-nps")
    response = client.get(reverse("listening:survey_results", args=[survey.pk]))
    assert response.status_code == 200
    assert "NPS" in response.content.decode()
