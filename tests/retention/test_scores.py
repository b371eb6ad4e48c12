"""`ecoute retention score`: fits kept, every customer's score stored with its intervals and status."""

from datetime import UTC, date, datetime
from io import StringIO

import numpy as np
import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer
from ecoute.retention.models import ActivityStatus, CustomerScore, CustomerStatus, ModelFit
from ecoute.retention.scores import score_and_classify, score_customers
from ecoute.retention.simulated_shop import write_simulated_shop
from ecoute.retention.tasks import score_when_due
from tests.factories import TransactionFactory
from tests.retention.purchases import customer_buying

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
def test_every_customer_is_scored_and_every_fit_kept(org: Organization) -> None:
    # Given 600 customers buying as CDNOW's customers did
    size = write_simulated_shop(org, 600, now=NOW)

    # When they are scored
    report = score_and_classify(org)

    # Then each has one score, P(alive) in [0, 1] within its interval, CLV inside its interval
    scores = list(CustomerScore.objects.filter(organization=org))
    assert report.customers == len(scores) == size.customers
    for score in scores:
        assert 0 <= score.p_alive <= 1
        assert score.p_alive_low is not None
        assert score.p_alive_high is not None
        assert score.p_alive_low <= score.p_alive <= score.p_alive_high
        assert score.clv is not None
        assert score.clv_low is not None
        assert score.clv_high is not None
        assert score.clv_low <= score.clv <= score.clv_high
        assert score.status in ActivityStatus.values
        assert score.fit is not None
        assert score.fit.model == report.scored_model
    # And the three purchase models and Gamma-Gamma are kept with their standard errors
    fits = {fit.model: fit for fit in ModelFit.objects.filter(organization=org)}
    assert set(fits) == {"bgnbd", "mbgnbd", "pareto", "gamma_gamma"}
    bgnbd = fits["bgnbd"]
    assert set(bgnbd.parameters) == set(bgnbd.standard_errors) == {"r", "alpha", "a", "b"}
    assert bgnbd.customers == 600
    assert bgnbd.log_likelihood is not None
    assert bgnbd.log_likelihood < 0
    assert bgnbd.window_end == NOW


@time_machine.travel(NOW, tick=False)
def test_the_summary_follows_the_engines_conventions(org: Organization) -> None:
    # Given a customer who bought twice on 1 June 2026 (one purchase day), then on 15 June (30 €) and
    # 29 June (50 €, and a refund), and 200 simulated customers so that the models can be fitted
    write_simulated_shop(org, 200, now=NOW)
    customer = customer_buying(org, date(2026, 6, 1), date(2026, 6, 1), date(2026, 6, 15), amount="30.00")
    customer_buying(org)  # a customer without purchases is not scored
    TransactionFactory.create(customer=customer, occurred_at=datetime(2026, 6, 29, 9, tzinfo=UTC), amount=50)
    TransactionFactory.create(customer=customer, occurred_at=datetime(2026, 6, 30, 9, tzinfo=UTC), amount=-50)

    # When customers are scored
    score_customers(org)

    # Then x = 2 repeat days, t_x = 28 days, T = 44 days, spend = mean of the repeat days (30, 50)
    score = CustomerScore.objects.get(customer=customer)
    assert (score.frequency, score.recency_days, score.age_days) == (2, 28, 44)
    assert score.monetary == 40
    assert CustomerScore.objects.filter(organization=org).count() == 201


def test_scoring_twice_replaces_the_scores_and_keeps_both_fits(org: Organization) -> None:
    # Given a scored shop
    with time_machine.travel(NOW, tick=False):
        write_simulated_shop(org, 300, now=NOW)
        score_customers(org)

    # When it is scored again a week later
    with time_machine.travel(datetime(2026, 7, 22, tzinfo=UTC), tick=False):
        score_customers(org)

    # Then each customer still has one score, of the second run, and both runs' fits are kept
    assert CustomerScore.objects.filter(organization=org).count() == 300
    assert set(CustomerScore.objects.values_list("computed_at", flat=True)) == {
        datetime(2026, 7, 22, tzinfo=UTC)
    }
    assert ModelFit.objects.filter(organization=org, model="bgnbd").count() == 2


@time_machine.travel(NOW, tick=False)
def test_a_repeat_buyer_whose_p_alive_is_low_is_lost(org: Organization) -> None:
    # Given a shop, and a customer who bought every week in January, then stopped
    write_simulated_shop(org, 400, now=NOW)
    # (four weekly purchases in January: lost after 180 days, not by the window alone)
    weekly = customer_buying(org, *[date(2026, 1, 5 + 7 * week) for week in range(4)])

    # When customers are scored and classified (as the command and the scheduled task do)
    score_and_classify(org)

    # Then the model gives little chance he is active, and the rule makes him lost
    score = CustomerScore.objects.get(customer=weekly)
    assert score.p_alive < 0.3
    assert score.status == ActivityStatus.LOST
    assert CustomerStatus.objects.get(customer=weekly).status == ActivityStatus.LOST


@time_machine.travel(NOW, tick=False)
def test_the_command_scores_one_organization(org: Organization, other_org: Organization) -> None:
    # Given a shop in each organization
    write_simulated_shop(org, 300, now=NOW)
    write_simulated_shop(other_org, 50, now=NOW, seed=8)
    out = StringIO()

    # When `ecoute retention score --org maison` runs
    with translation.override("fr"):
        call_command("retention", "score", "--org", "maison", stdout=out, stderr=StringIO())

    # Then it says how many customers were scored, and only ours were
    assert "300 clients notés avec" in out.getvalue()
    assert not CustomerScore.objects.filter(organization=other_org).exists()
    assert not CustomerScore.objects.filter(
        customer__in=Customer.objects.filter(organization=other_org)
    ).exists()
    assert np.isfinite(CustomerScore.objects.filter(organization=org).first().p_alive)  # type: ignore[union-attr]


@override_settings(RETENTION_SCORE_HOURS=24)
def test_workers_score_once_scores_are_older_than_the_interval(org: Organization) -> None:
    # Given a shop never scored
    write_simulated_shop(org, 200, now=NOW)

    # When the workers' housekeeping runs (tasks run at once under test), then again an hour later
    with time_machine.travel(NOW, tick=False):
        started = score_when_due()
    with time_machine.travel(datetime(2026, 7, 15, 13, 0, tzinfo=UTC), tick=False):
        started_again = score_when_due()

    # Then customers were scored once
    assert (started, started_again) == (True, False)
    assert set(CustomerScore.objects.values_list("computed_at", flat=True)) == {NOW}
    assert ModelFit.objects.filter(model="bgnbd").count() == 1
