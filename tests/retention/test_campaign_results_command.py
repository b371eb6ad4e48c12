"""`ecoute campaign results NAME-OR-ID --org ORG [--json]`: a launched campaign's report as text in the
reader's language and as JSON, its figures checked against a hand computation on a small frozen case."""

import json
import math
from datetime import UTC, datetime
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from scipy.stats import norm, t

from ecoute.accounts.models import Organization
from ecoute.retention.models import Campaign, CampaignMember
from tests.factories import CustomerFactory, TransactionFactory
from tests.retention.campaigns import campaign_of

pytestmark = pytest.mark.django_db

LAUNCH = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
IN_WINDOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
AFTER_WINDOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)  # the 60 days end on 9 May
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _members(campaign: Campaign, group: str, count: int, came_back: int) -> None:
    """`count` members of `group`, the first `came_back` of whom bought for 50 in the window; the
    others bought before the launch, or after the window, which does not count."""
    for n in range(count):
        customer = CustomerFactory.create(organization=campaign.organization)
        CampaignMember.objects.create(
            organization=campaign.organization,
            campaign=campaign,
            customer=customer,
            group=group,
            status_at_launch="lost",
        )
        when = IN_WINDOW if n < came_back else (AFTER_WINDOW if n % 2 else datetime(2025, 1, 5, tzinfo=UTC))
        TransactionFactory.create(customer=customer, occurred_at=when, amount=Decimal("50.00"))


@pytest.fixture
def finished(org: Organization) -> Campaign:
    # Given a campaign launched on 10 March for 60 days: 12 of its 40 treated customers and 3 of its
    # 30 held-out ones bought for 50 within the window
    campaign = campaign_of(org, name="Printemps", status="launched", launched_at=LAUNCH, window_days=60)
    _members(campaign, "treatment", 40, 12)
    _members(campaign, "control", 30, 3)
    return campaign


def _run(*args: str) -> str:
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("campaign", "results", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_json_report_agrees_with_a_hand_computation(org: Organization, finished: Campaign) -> None:
    # When its results are asked as JSON
    report = json.loads(_run("Printemps", "--org", org.slug, "--json"))

    # Then the rates, lift, interval and p-value are those computed by hand
    treated, held_out = report["overall"]["treatment"], report["overall"]["control"]
    assert (treated["customers"], treated["reactivated"], held_out["customers"], held_out["reactivated"]) == (
        40,
        12,
        30,
        3,
    )
    assert treated["rate"] == pytest.approx(0.3)
    assert held_out["rate"] == pytest.approx(0.1)
    half = 1.959964 * math.sqrt(0.3 * 0.7 / 40 + 0.1 * 0.9 / 30)
    pooled = 15 / 70
    z = 0.2 / math.sqrt(pooled * (1 - pooled) * (1 / 40 + 1 / 30))
    lift = report["overall"]["lift"]
    assert lift["estimate"] == pytest.approx(0.2)
    assert (lift["low"], lift["high"]) == (
        pytest.approx(0.2 - half, abs=1e-6),
        pytest.approx(0.2 + half, abs=1e-6),
    )
    assert lift["p_value"] == pytest.approx(2 * norm.sf(z), rel=1e-6)
    # And so is the revenue: 15 against 5 a customer, 10 × 40 = 400 attributed, Welch's interval
    var_t = (12 * 35**2 + 28 * 15**2) / 39 / 40
    var_c = (3 * 45**2 + 27 * 5**2) / 29 / 30
    df = (var_t + var_c) ** 2 / (var_t**2 / 39 + var_c**2 / 29)
    margin = t.ppf(0.975, df) * math.sqrt(var_t + var_c) * 40
    revenue = report["overall"]["attributed_revenue"]
    assert (treated["revenue_per_customer"], held_out["revenue_per_customer"]) == (15.0, 5.0)
    assert revenue["estimate"] == pytest.approx(400)
    assert (revenue["low"], revenue["high"]) == (pytest.approx(400 - margin), pytest.approx(400 + margin))
    assert report["window_over"] is True
    assert report["campaign"]["window_end"] == "2026-05-09T09:00:00+00:00"
    # And the sentence counts 0.2 × 40 = 8 customers, ± round(half × 40) = 7
    assert report["answer"].startswith("La campagne a fait revenir 8 clients de plus")
    assert "± 7" in report["answer"]


def test_the_text_report_reads_in_the_readers_language(org: Organization, finished: Campaign) -> None:
    french = _run("printemps", "--org", org.slug)
    english = _run(str(finished.pk), "--org", org.slug, "--language", "en")
    assert (
        "La campagne a fait revenir 8 clients de plus que ne rien faire, ± 7, pour 400\u00a0€ ± 368\u00a0€"
        in french
    )
    assert "Lancée le 10 mars 2026" in french
    assert "Effet (campagne − témoin)\u00a0: +20,0 pts (+2,2 pts à +37,8 pts), p\u00a0=\u00a00,044" in french
    assert "The campaign brought back 8 customers more than doing nothing, ± 7" in english
    assert "Launched on March 10, 2026" in english
    assert "+20.0 pts" in english
    assert "Control group" in english


def test_another_organizations_campaign_or_a_draft_is_refused(
    org: Organization, other_org: Organization, finished: Campaign
) -> None:
    campaign_of(org, name="Brouillon")
    with pytest.raises(CommandError, match="Aucune campagne «\u00a0Printemps\u00a0»"):
        _run("Printemps", "--org", other_org.slug)
    with pytest.raises(CommandError, match="Aucune campagne"):
        _run(str(finished.pk), "--org", other_org.slug)
    with pytest.raises(CommandError, match="brouillon"):
        _run("Brouillon", "--org", org.slug)
