"""Contact pressure, quiet hours and consent hold as the calendar moves (frozen time)."""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine

from ecoute.accounts.models import Organization
from ecoute.listening.contact_policy import AlwaysQuietError, next_allowed_time
from ecoute.listening.models import Invitation
from ecoute.listening.planning import plan_invitations, preview
from tests.factories import ConsentFactory, CustomerFactory, SurveyFactory
from tests.listening.planning_helpers import consenting, policy

# Saturday 6 June 2026, 21:30 in Paris (UTC+2): inside the evening quiet hours, before a quiet Sunday.
SATURDAY_EVENING = datetime(2026, 6, 6, 19, 30, tzinfo=UTC)
MONDAY_MORNING = datetime(2026, 6, 8, 7, 0, tzinfo=UTC)  # 09:00 in Paris


@pytest.mark.django_db
@time_machine.travel(SATURDAY_EVENING, tick=False)
def test_a_wave_planned_in_quiet_hours_is_scheduled_for_the_next_allowed_moment(org: Organization) -> None:
    # given quiet hours 20:00–09:00 and quiet Sundays, in Paris
    policy(org, quiet_start=time(20), quiet_end=time(9), quiet_days=[6])
    consenting(org, "A")
    survey = SurveyFactory.create(organization=org)
    # when a wave is previewed and planned on Saturday evening
    seen = preview(survey)
    planned = plan_invitations(survey)
    # then nobody is skipped for it: the wave leaves on Monday at 09:00, Paris time
    assert seen.deferred
    assert seen.send_at == planned.send_at == MONDAY_MORNING
    assert planned.counts() == {"planned": 1, "skipped": {}}
    assert planned.wave is not None
    assert planned.wave.planned_at == MONDAY_MORNING


@pytest.mark.django_db
def test_quiet_hours_follow_the_organizations_time_zone(org: Organization) -> None:
    # given an organization in Montréal (UTC-4 in June) with quiet hours 20:00–09:00 and no quiet day
    org.time_zone = "America/Montreal"
    org.save()
    rules = policy(org, quiet_start=time(20), quiet_end=time(9), quiet_days=[])
    # then 12:00 UTC (08:00 in Montréal) waits until 09:00 there, 14:00 UTC (10:00) goes at once
    assert next_allowed_time(rules, datetime(2026, 6, 10, 12, 0, tzinfo=UTC)) == datetime(
        2026, 6, 10, 13, 0, tzinfo=UTC
    )
    assert next_allowed_time(rules, datetime(2026, 6, 10, 14, 0, tzinfo=UTC)) == datetime(
        2026, 6, 10, 14, 0, tzinfo=UTC
    )


@pytest.mark.django_db
def test_a_policy_quiet_every_day_is_refused(org: Organization) -> None:
    rules = policy(org, quiet_days=list(range(7)))
    with pytest.raises(AlwaysQuietError):
        next_allowed_time(rules, SATURDAY_EVENING)


@pytest.mark.django_db
def test_the_budget_frees_up_as_solicitations_age(org: Organization) -> None:
    # given at most 2 solicitations per 30 days, a 7-day gap, and one customer
    policy(org, max_solicitations=2, per_days=30, min_gap_days=7)
    consenting(org, "A")
    day = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)  # a Wednesday
    outcomes = []
    # when a new survey's wave is planned on days 0, 3, 8, 20 and 31
    for offset in (0, 3, 8, 20, 31):
        with time_machine.travel(day + timedelta(days=offset), tick=False):
            planned = plan_invitations(SurveyFactory.create(organization=org))
        outcomes.append("invited" if planned.invited else next(iter(planned.skipped)))
    # then: invited, too soon, invited (2 in 30 days), over the budget, and free again once day 0 is old
    assert outcomes == ["invited", "gap", "invited", "pressure", "invited"]


@pytest.mark.django_db
@time_machine.travel(datetime(2026, 6, 15, 8, 0, tzinfo=UTC), tick=False)
def test_the_latest_consent_decides(org: Organization) -> None:
    # given one customer who withdrew their consent on 12 June and granted it again on 14 June,
    # another who withdrew it on 12 June, and one who never said anything
    policy(org, min_gap_days=0)
    back = consenting(org, "BACK")
    ConsentFactory.create(customer=back, granted=False, recorded_at=datetime(2026, 6, 12, tzinfo=UTC))
    ConsentFactory.create(customer=back, granted=True, recorded_at=datetime(2026, 6, 14, tzinfo=UTC))
    gone = consenting(org, "GONE")
    ConsentFactory.create(customer=gone, granted=False, recorded_at=datetime(2026, 6, 12, tzinfo=UTC))
    silent = CustomerFactory.create(organization=org, external_id="SILENT")
    # and a marketing consent granted by the silent one, which is not a consent to surveys
    ConsentFactory.create(customer=silent, purpose="marketing", granted=True)
    # when a wave is planned on 15 June
    planned = plan_invitations(SurveyFactory.create(organization=org))
    # then only the customer whose latest word is yes is invited
    reasons = dict(
        Invitation.objects.filter(wave=planned.wave).values_list("customer__external_id", "skip_reason")
    )
    assert reasons == {"BACK": "", "GONE": "consent", "SILENT": "consent"}
