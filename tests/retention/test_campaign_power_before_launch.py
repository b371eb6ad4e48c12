"""What the draft says of its power before launch, for the audiences too small to tell anything: none,
a single customer, a control group of one."""

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from ecoute.accounts.models import Organization, Role
from ecoute.analytics.lift import minimum_detectable_lift
from ecoute.retention.campaign_figures import power_text
from tests.conftest import member_client
from tests.factories import MembershipFactory
from tests.retention.campaigns import campaign_of, slipping_customer


@pytest.fixture(autouse=True)
def waiting_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.mark.parametrize("customers", [1, 3])
def test_a_draft_of_a_few_customers_says_a_group_would_be_empty_not_that_there_is_nobody(
    org: Organization, customers: int
) -> None:
    # Given a draft whose audience is 1 or 3 customers (15 % of them rounds to no control group)
    for _n in range(customers):
        slipping_customer(org)
    campaign = campaign_of(org)
    # When an analyst opens it
    client = member_client(MembershipFactory.create(organization=org, role=Role.ANALYST))
    page = client.get(reverse("retention:campaign_detail", args=[campaign.pk])).content.decode()
    # Then it counts them in the reader's plural, says why nothing can be measured, and warns
    noun = "client" if customers == 1 else "clients"
    assert f"Avec {customers} {noun} dans l’audience, l’un des deux groupes serait vide" in page
    assert "Aucun client dans cette audience" not in page
    assert 'data-testid="too-small"' in page


def test_an_empty_audience_is_said_empty() -> None:
    with translation.override("en"):
        assert power_text(minimum_detectable_lift(0, 0, 0.1)) == (
            "No customer is in this audience now: the campaign could tell nothing."
        )


def test_one_customer_in_the_campaign_is_singular() -> None:
    with translation.override("en"):
        text = power_text(minimum_detectable_lift(1, 1, 0.1))
    assert text.startswith("With 1 customer in the campaign and 1 in the control group")


def test_a_lift_beyond_100_points_is_never_promised() -> None:
    # Given 3 customers in the campaign and 1 held out, at a 10 % baseline: by hand,
    # (1.95996 + 0.84162) × √(0.1 × 0.9 × (1/3 + 1/1)) = 2.80158 × 0.34641 = 0.97050: 97.0 points
    with translation.override("en"):
        small = power_text(minimum_detectable_lift(3, 1, 0.1))
        # 1 and 1: 2.80158 × √(0.09 × 2) = 1.18862, more than every customer coming back
        tiny = power_text(minimum_detectable_lift(1, 1, 0.1))
    assert "can detect a lift of +97.0 pts or more" in small
    assert "could not detect even a lift of 100 points" in tiny
    assert "118" not in tiny


def test_a_tiny_control_group_of_a_past_campaign_does_not_set_the_baseline(org: Organization) -> None:
    # Given a finished campaign whose control group was one customer, who came back (a rate of 100 %)
    from datetime import UTC, datetime, timedelta

    from ecoute.retention.campaign_results import DEFAULT_BASELINE, baseline_rate
    from ecoute.retention.models import CampaignMember
    from tests.factories import TransactionFactory

    launched = datetime(2026, 1, 5, tzinfo=UTC)
    past = campaign_of(org, name="Hiver", status="launched", launched_at=launched, window_days=30)
    customer = slipping_customer(org)
    CampaignMember.objects.create(
        organization=org, campaign=past, customer=customer, group="control", status_at_launch="lost"
    )
    TransactionFactory.create(customer=customer, occurred_at=launched + timedelta(days=3))
    # When the baseline of the next campaign's power is chosen
    # Then that rate of 1 customer is not taken for what comes back anyway
    assert baseline_rate(org, datetime(2026, 3, 1, tzinfo=UTC)) == DEFAULT_BASELINE


def test_an_empty_group_of_a_launched_campaign_shows_no_rate_nor_interval(org: Organization) -> None:
    # Given a campaign launched on one customer, who fell in the campaign group
    from datetime import UTC, datetime

    from ecoute.retention.actions import launch_campaign
    from ecoute.retention.campaign_figures import group_rows
    from ecoute.retention.campaign_results import campaign_results
    from tests.retention.campaigns import treating

    customer = slipping_customer(org)
    campaign = treating(campaign_of(org), customer)
    launch_campaign(campaign, now=datetime(2026, 3, 10, tzinfo=UTC))
    campaign.refresh_from_db()
    results = campaign_results(campaign, datetime(2026, 3, 20, tzinfo=UTC))
    assert results is not None
    # When its groups are written
    with translation.override("fr"):
        treated, held_out = group_rows(results.overall, "EUR")
    # Then the empty control group has no rate, no interval and no revenue, rather than "0,0–100,0 %"
    assert (treated.n, held_out.n) == ("1", "0")
    assert (held_out.rate, held_out.interval, held_out.revenue) == ("—", "", "—")
    assert treated.interval == "0,0 – 79,3\u00a0%"


def test_the_draft_says_its_audience_in_one_sentence_with_english_percentages(org: Organization) -> None:
    for _n in range(40):
        slipping_customer(org)
    campaign = campaign_of(org)
    client = member_client(MembershipFactory.create(organization=org, role=Role.ANALYST))
    page = client.get(reverse("retention:campaign_detail", args=[campaign.pk]), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "Audience now: Lost or at-risk customers.</p>" in html
    assert "(5% level, power 80%)" in html
