"""Two planners of one wave at the same moment: one invitation per customer, never two."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection

from ecoute.accounts.models import Organization
from ecoute.listening.models import Invitation, Survey
from ecoute.listening.planning import PlannedInvitations, plan_invitations
from tests.factories import SurveyFactory
from tests.listening.planning_helpers import consenting, policy

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Paris
PLANNERS = 4


def test_simultaneous_planners_of_one_wave_invite_each_customer_once(org: Organization) -> None:
    # given twenty consenting customers and a survey
    policy(org)
    for n in range(20):
        consenting(org, f"C{n}")
    survey = SurveyFactory.create(organization=org)
    start = threading.Barrier(PLANNERS)

    def plan(_index: int) -> PlannedInvitations:
        try:
            start.wait()
            return plan_invitations(Survey.objects.get(pk=survey.pk), NOW)
        finally:
            connection.close()

    # when four planners run at once
    with time_machine.travel(NOW, tick=False), ThreadPoolExecutor(PLANNERS) as pool:
        results = list(pool.map(plan, range(PLANNERS)))
    # then together they invited each customer once, in one wave,
    assert sum(result.invited for result in results) == 20
    assert Invitation.objects.filter(survey=survey).count() == 20
    assert survey.waves.count() == 1
