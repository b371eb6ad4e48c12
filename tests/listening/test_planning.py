"""Planning a wave: every candidate invited or skipped with one reason, set-wise, once."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ecoute.accounts.models import Organization
from ecoute.listening.models import Invitation
from ecoute.listening.planning import plan_invitations, preview
from tests.factories import InteractionFactory, SurveyFactory
from tests.listening.planning_helpers import consenting, every_situation, message, policy, solicit

# A Wednesday, 10:00 in Paris: outside the quiet hours.
NOW = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_each_customer_is_invited_or_skipped_with_the_first_reason_that_applies(org: Organization) -> None:
    # given a policy of 2 solicitations per 30 days, a 7-day gap, a survey with a 90-day cooldown
    policy(org)
    survey = SurveyFactory.create(organization=org, cooldown_days=90)
    customers = every_situation(org, survey, NOW)
    # when the wave is planned
    planned = plan_invitations(survey)
    # then each customer has one invitation, with the reason of their situation
    rows = dict(
        Invitation.objects.filter(survey=survey, wave=planned.wave).values_list("customer_id", "skip_reason")
    )
    assert rows == {customer.pk: ("" if name == "invited" else name) for name, customer in customers.items()}
    assert planned.counts() == {
        "planned": 1,
        "skipped": {reason: 1 for reason in customers if reason != "invited"},
    }
    assert planned.wave is not None
    assert planned.wave.counts == planned.counts()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_planning_stores_no_link_token_and_dates_each_invitation_expiry(org: Organization) -> None:
    # given two consenting customers and one without consent
    policy(org)
    survey = SurveyFactory.create(organization=org)
    consenting(org, "A")
    consenting(org, "B")
    consenting(org, "C").consents.all().delete()
    # when the wave is planned
    planned = plan_invitations(survey)
    # then the invited ones are planned with their expiry and no link yet (each e-mail makes its own
    # when it is sent), and the skipped one keeps its reason
    invited = Invitation.objects.filter(survey=survey, status="planned")
    assert planned.invited == invited.count() == 2
    for invitation in invited:
        assert invitation.token_hash is None
        assert invitation.expires_at == NOW + timedelta(days=survey.expires_after_days)
    skipped = Invitation.objects.get(survey=survey, status="skipped")
    assert (skipped.token_hash, skipped.skip_reason) == (None, "consent")


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_planning_the_same_wave_twice_adds_only_newcomers(org: Organization) -> None:
    # given a planned wave
    policy(org)
    survey = SurveyFactory.create(organization=org)
    consenting(org, "A")
    consenting(org, "B")
    first = plan_invitations(survey)
    # when it is planned again, after one more customer arrived
    consenting(org, "C")
    second = plan_invitations(survey)
    # then the same wave holds one invitation per customer
    assert second.wave == first.wave
    assert (first.invited, second.invited) == (2, 1)
    assert Invitation.objects.filter(survey=survey).count() == 3
    assert second.wave is not None
    assert second.wave.counts == {"planned": 3, "skipped": {}}
    # and a third time adds nothing
    assert plan_invitations(survey).counts() == {"planned": 0, "skipped": {}}


@pytest.mark.django_db
def test_the_preview_predicts_the_plan_exactly(org: Organization) -> None:
    # given customers in every situation
    policy(org)
    survey = SurveyFactory.create(organization=org, cooldown_days=90)
    customers = every_situation(org, survey, NOW)
    with time_machine.travel(NOW, tick=False):
        # when the preview is taken, then the wave planned
        seen = preview(survey)
        planned = plan_invitations(survey)
    # then the preview said exactly what planning did, with the customers of each reason as a sample
    assert seen.counts() == planned.counts()
    assert seen.total == len(customers)
    assert {name or "invited": [c.pk for c in sample] for name, sample in seen.samples.items()} == {
        name: [customer.pk] for name, customer in customers.items()
    }
    assert Invitation.objects.filter(wave=planned.wave).count() == len(customers)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_planning_takes_the_same_number_of_queries_for_ten_or_forty_customers(org: Organization) -> None:
    policy(org)

    def queries_for(count: int) -> int:
        survey = SurveyFactory.create(organization=org)
        for n in range(count):
            customer = consenting(org, f"N{count}-{n}")
            solicit(customer, NOW - timedelta(days=10 + n % 30))
        with CaptureQueriesContext(connection) as queries:
            plan_invitations(survey)
        return len(queries)

    # then the rules are evaluated set-wise: no query per customer
    assert queries_for(10) == queries_for(40)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_an_invitation_and_its_own_message_count_once_against_the_pressure(org: Organization) -> None:
    # given at most 2 solicitations per 30 days, and a customer invited 10 days ago whose invitation
    # e-mail is in the outbox
    policy(org, min_gap_days=0)
    customer = consenting(org, "ONCE")
    invitation = solicit(customer, NOW - timedelta(days=10))
    message(
        customer,
        NOW - timedelta(days=10),
        subject_ref=f"invitation:{invitation.pk}",
        purpose="survey_invitation",
    )
    # and a cancelled campaign message, which never reached them
    message(customer, NOW - timedelta(days=5), status="cancelled", sent_at=None)
    # when a wave of another survey is planned
    planned = plan_invitations(SurveyFactory.create(organization=org))
    # then they were solicited once: they are invited
    assert planned.counts() == {"planned": 1, "skipped": {}}


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_transactional_survey_asks_about_each_event_once(org: Organization) -> None:
    # given a survey two days after each support ticket, and a ticket three days old
    policy(org, min_gap_days=0)
    customer = consenting(org, "TICKET")
    InteractionFactory.create(customer=customer, external_id="T-1", occurred_at=NOW - timedelta(days=3))
    survey = SurveyFactory.create(
        organization=org,
        kind="transactional",
        cooldown_days=0,
        audience={"trigger": {"event": "interaction", "kind": "support_ticket", "after_days": 2}},
    )
    # when the due invitations are planned twice, a day apart
    first = plan_invitations(survey)
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        second = plan_invitations(survey)
    # then the ticket got one invitation, without a wave
    assert (first.invited, second.invited) == (1, 0)
    rows = Invitation.objects.filter(survey=survey)
    assert [(row.trigger_ref, row.wave_id) for row in rows] == [("interaction:T-1", None)]
