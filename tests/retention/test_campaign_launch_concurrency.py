"""Two launches of one campaign at the same moment (two clicks, two tabs): one launch, one set of
members, each e-mail queued once; the other is told the campaign was launched already."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection

from ecoute.accounts.models import Organization
from ecoute.messaging.models import Message
from ecoute.retention.actions import launch_campaign
from ecoute.retention.campaign_launch import CampaignLaunchError, LaunchReport
from ecoute.retention.models import Campaign, CampaignMember
from tests.retention.campaigns import campaign_of, slipping_customer, treating

pytestmark = pytest.mark.django_db(transaction=True)

LAUNCH = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
LAUNCHERS = 4


@pytest.fixture(autouse=True)
def waiting_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def test_simultaneous_launches_launch_once_and_queue_each_email_once(org: Organization) -> None:
    # Given a draft whose audience is ten consenting lost customers, all in the campaign group
    customers = [slipping_customer(org, email=f"client{n}@example.fr") for n in range(10)]
    campaign = treating(campaign_of(org), *customers)
    start = threading.Barrier(LAUNCHERS)

    def launch(_index: int) -> LaunchReport | str:
        try:
            start.wait()
            return launch_campaign(Campaign.objects.get(pk=campaign.pk), now=LAUNCH)
        except CampaignLaunchError as refusal:
            return str(refusal)
        finally:
            connection.close()

    # When four launches run at once
    with ThreadPoolExecutor(LAUNCHERS) as pool:
        outcomes = list(pool.map(launch, range(LAUNCHERS)))

    # Then one launched, the others were refused, and each customer is a member once, e-mailed once
    launched = [outcome for outcome in outcomes if isinstance(outcome, LaunchReport)]
    assert len(launched) == 1
    assert launched[0].emails_queued == 10
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["Cette campagne est déjà lancée."] * 3
    assert CampaignMember.objects.filter(campaign=campaign).count() == 10
    assert Message.objects.filter(subject_ref=f"campaign:{campaign.pk}").count() == 10
    assert Campaign.objects.get(pk=campaign.pk).launched_at == LAUNCH
