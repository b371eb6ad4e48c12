"""Two scorings of one organization at the same moment (the workers' pass and `ecoute retention score`):
both finish, and each customer keeps one score."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection

from ecoute.accounts.models import Organization
from ecoute.retention.models import CustomerScore, ModelFit
from ecoute.retention.scores import ScoreReport, score_customers
from ecoute.retention.simulated_shop import write_simulated_shop

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)
SCORERS = 3


def test_simultaneous_scorings_leave_one_score_per_customer(org: Organization) -> None:
    # Given a shop of 300 customers
    with time_machine.travel(NOW, tick=False):
        write_simulated_shop(org, 300, now=NOW)
    start = threading.Barrier(SCORERS)

    def score(_index: int) -> ScoreReport:
        try:
            start.wait()
            return score_customers(Organization.objects.get(pk=org.pk), NOW)
        finally:
            connection.close()

    # When three scorings run at once
    with ThreadPoolExecutor(SCORERS) as pool:
        reports = list(pool.map(score, range(SCORERS)))

    # Then each finished, every customer has one score, and every fit is kept
    assert [report.customers for report in reports] == [300] * SCORERS
    assert CustomerScore.objects.filter(organization=org).count() == 300
    assert ModelFit.objects.filter(organization=org, model="bgnbd").count() == SCORERS
