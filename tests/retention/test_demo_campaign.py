"""`ecoute demo` holds a finished reactivation campaign whose treated customers came back more often
than the held-out ones, found from the simulated purchases as a real report finds it."""

from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from ecoute.accounts.models import Organization
from ecoute.analytics.lift import in_control
from ecoute.customers.models import Transaction
from ecoute.retention.campaign_results import campaign_results
from ecoute.retention.models import Campaign, CampaignMember

NOW = datetime(2026, 6, 2, 9, 30, tzinfo=UTC)


@pytest.mark.django_db
def test_the_demo_campaign_shows_a_lift_found_in_its_purchases(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    # Given the demo built on 2 June 2026
    with time_machine.travel(NOW, tick=False):
        call_command("demo", "--org", "demo", "--customers", "1500", "--seed", "3", stdout=StringIO())
        organization = Organization.objects.get(slug="demo")
        campaign = Campaign.objects.get(organization=organization)
        # When its report is read
        results = campaign_results(campaign, timezone.now())
    # Then the campaign was launched 90 days before, its 60-day window is over
    assert campaign.launched_at is not None
    assert campaign.launched_at.date() == (NOW - timedelta(days=90)).date()
    assert results is not None
    assert results.window_over
    # And its members were split by the campaign's hash
    for customer_id, group in CampaignMember.objects.filter(campaign=campaign).values_list(
        "customer_id", "group"
    ):
        assert (group == "control") == in_control(campaign.salt, customer_id)
    # And the simulated purchases are what the report counts: treated customers came back more often
    lift = results.overall.lift
    assert lift.lift is not None
    assert lift.lift > 0
    assert not lift.too_small
    returned = (
        Transaction.objects.filter(external_id__startswith="DEMO-CAMPAIGN-").values("customer").distinct()
    )
    assert lift.treatment_successes + lift.control_successes >= returned.count()
    assert results.overall.revenue.attributed is not None
    assert results.overall.revenue.attributed > 0
