"""A campaign's results under frozen time: reactivated means a purchase within the window after the
launch (refunds are not purchases), revenue nets refunds, and the report reads as an answer with n."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer
from ecoute.retention.campaign_figures import answer
from ecoute.retention.campaign_results import campaign_results
from ecoute.retention.models import Campaign, CampaignMember
from tests.factories import CustomerFactory, TransactionFactory
from tests.retention.campaigns import campaign_of

LAUNCH = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def _member(org: Organization, campaign: Campaign, group: str, status: str = "lost") -> Customer:
    customer = CustomerFactory.create(organization=org)
    CampaignMember.objects.create(
        organization=org, campaign=campaign, customer=customer, group=group, status_at_launch=status
    )
    return customer


def _buys(customer: Customer, days_after_launch: int, amount: str = "50.00") -> None:
    TransactionFactory.create(
        customer=customer, occurred_at=LAUNCH + timedelta(days=days_after_launch), amount=Decimal(amount)
    )


@pytest.fixture
def campaign(org: Organization) -> Campaign:
    """100 treated and 40 held out, half lost and half at risk. Within the 30-day window 30 treated and
    4 held-out customers buy 50 €; 3 treated only get a 20 € refund; 5 treated buy after the window,
    and 2 held-out customers bought the day before the launch."""
    campaign = campaign_of(org, status="launched", launched_at=LAUNCH, window_days=30)
    treated = [_member(org, campaign, "treatment", "lost" if n % 2 else "at_risk") for n in range(100)]
    held_out = [_member(org, campaign, "control", "lost" if n % 2 else "at_risk") for n in range(40)]
    for customer in treated[:30]:
        _buys(customer, 10)
    for customer in treated[30:33]:
        _buys(customer, 5, "-20.00")
    for customer in treated[33:38]:
        _buys(customer, 31)
    for customer in held_out[:4]:
        _buys(customer, 29)
    for customer in held_out[4:6]:
        _buys(customer, -1)
    return campaign


def test_reactivation_and_revenue_count_purchases_within_the_window_only(campaign: Campaign) -> None:
    # When the results are read after the window closed
    results = campaign_results(campaign, LAUNCH + timedelta(days=60))
    assert results is not None
    assert results.window_over
    lift, revenue = results.overall.lift, results.overall.revenue
    # Then 30 of 100 treated came back (refunds and later purchases left out), 4 of 40 held out
    assert (lift.treatment_successes, lift.treatment_n, lift.control_successes, lift.control_n) == (
        30,
        100,
        4,
        40,
    )
    assert lift.lift == pytest.approx(0.20)
    # And revenue per customer nets refunds: (30 × 50 − 3 × 20) / 100 = 14.40 and 4 × 50 / 40 = 5.00
    assert revenue.treatment_mean == pytest.approx(14.4)
    assert revenue.control_mean == pytest.approx(5.0)
    # And the revenue attributed is (14.40 − 5.00) × 100 = 940
    assert revenue.attributed == pytest.approx(940.0)


def test_results_before_the_window_closes_count_until_now(campaign: Campaign) -> None:
    results = campaign_results(campaign, LAUNCH + timedelta(days=15))
    assert results is not None
    assert not results.window_over
    assert (results.overall.lift.treatment_successes, results.overall.lift.control_successes) == (30, 0)


def test_results_are_given_per_status_at_launch(campaign: Campaign) -> None:
    results = campaign_results(campaign, LAUNCH + timedelta(days=60))
    assert results is not None
    by_status = {s.value: s.comparison.lift for s in results.segments if s.dimension == "status"}
    assert set(by_status) == {"lost", "at_risk"}
    assert by_status["lost"].treatment_n + by_status["at_risk"].treatment_n == 100
    assert by_status["lost"].treatment_successes + by_status["at_risk"].treatment_successes == 30


def test_the_report_reads_as_an_answer_in_english_and_french(campaign: Campaign) -> None:
    results = campaign_results(campaign, LAUNCH + timedelta(days=60))
    assert results is not None
    # Margin by hand: 1.96 × √(0.3 · 0.7 / 100 + 0.1 · 0.9 / 40) × 100 = 12.9 → 13; Welch's margin on
    # the revenue: t(0.975, 110.5) × √(560.24 / 100 + 230.77 / 40) × 100 = 1.9817 × 3.3722 × 100 = 668;
    # pooled z = 0.2 / √(34/140 · 106/140 · (1/100 + 1/40)) = 2.493, two-sided p = 0.0127
    with translation.override("en"):
        assert answer(results.overall, "EUR") == (
            "The campaign brought back 20 customers more than doing nothing, ± 13, worth €940 ± €668. "
            "A difference this large is unlikely to be chance (p = 0.013)."
        )
    with translation.override("fr"):
        assert answer(results.overall, "EUR") == (
            "La campagne a fait revenir 20 clients de plus que ne rien faire, ± 13, "
            "pour 940\xa0€ ± 668\xa0€. "
            "Une différence aussi grande a peu de chances d’être due au hasard (p\u00a0=\u00a00,013)."
        )


def test_a_campaign_too_small_says_so_with_its_n(org: Organization) -> None:
    campaign = campaign_of(org, status="launched", launched_at=LAUNCH, window_days=30)
    for _n in range(12):
        _member(org, campaign, "treatment")
    _member(org, campaign, "control")
    results = campaign_results(campaign, LAUNCH + timedelta(days=60))
    assert results is not None
    with translation.override("en"):
        assert answer(results.overall, "EUR") == (
            "Not enough customers to tell: 12 in the campaign and 1 in the control group; "
            "at least 30 in each are needed."
        )


def test_frozen_time_reads_the_same_results(campaign: Campaign) -> None:
    with time_machine.travel(LAUNCH + timedelta(days=45), tick=False):
        from django.utils import timezone

        results = campaign_results(campaign, timezone.now())
    assert results is not None
    assert results.until == LAUNCH + timedelta(days=30)
