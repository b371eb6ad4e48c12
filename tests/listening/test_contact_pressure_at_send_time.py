"""Contact pressure and quiet hours checked again when the invitation leaves, with a real SMTP server."""

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
import time_machine

from ecoute.accounts.models import Organization
from ecoute.listening.wave_actions import invite
from ecoute.messaging.models import Message
from ecoute.messaging.sending import send_due_messages
from tests.factories import SurveyFactory
from tests.listening.planning_helpers import consenting, message, policy, solicit
from tests.smtp_sink import SmtpSink

WEDNESDAY = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)  # 10:00 in Paris
DUMMY_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def waiting_tasks(settings: Any) -> None:
    settings.TASKS = DUMMY_TASKS


@pytest.mark.django_db
def test_an_invitation_goes_out_when_nothing_else_reached_the_customer(
    org: Organization, smtp_sink: SmtpSink
) -> None:
    # given a customer invited to a wave, with nothing else sent to them
    policy(org)
    consenting(org, "A")
    with time_machine.travel(WEDNESDAY, tick=False):
        invite(SurveyFactory.create(organization=org, status="active"))
        # when the outbox sends
        report = send_due_messages()
    # then the invitation does not count against itself: it arrives
    assert report.sent == 1
    assert len(smtp_sink.messages) == 1


@pytest.mark.django_db
def test_an_invitation_is_cancelled_when_a_campaign_took_the_budget_in_between(
    org: Organization, smtp_sink: SmtpSink
) -> None:
    # given at most 2 solicitations per 30 days, a customer solicited once 20 days ago, and invited now
    policy(org, min_gap_days=0)
    customer = consenting(org, "A")
    message(customer, WEDNESDAY - timedelta(days=20))
    with time_machine.travel(WEDNESDAY, tick=False):
        planned = invite(SurveyFactory.create(organization=org, status="active"))
    assert planned.invited == 1
    # when a campaign message reaches them before the invitation leaves
    message(customer, WEDNESDAY + timedelta(minutes=5))
    with time_machine.travel(WEDNESDAY + timedelta(minutes=10), tick=False):
        send_due_messages()
    # then the invitation is cancelled for contact pressure, not sent
    invitation_email = Message.objects.get(purpose="survey_invitation")
    assert (invitation_email.status, invitation_email.status_reason) == ("cancelled", "pressure")
    assert smtp_sink.messages == []


@pytest.mark.django_db
def test_a_message_due_in_quiet_hours_waits_for_their_end(org: Organization, smtp_sink: SmtpSink) -> None:
    # given an invitation queued on Wednesday at 10:00, quiet hours from 20:00 to 09:00 in Paris
    policy(org, quiet_start=time(20), quiet_end=time(9))
    consenting(org, "A")
    with time_machine.travel(WEDNESDAY, tick=False):
        invite(SurveyFactory.create(organization=org, status="active"))
    # when the outbox first runs at 22:00 (after an outage), then the next morning at 09:00
    with time_machine.travel(datetime(2026, 6, 10, 20, 0, tzinfo=UTC), tick=False):
        night = send_due_messages()
    held = Message.objects.get()
    with time_machine.travel(datetime(2026, 6, 11, 7, 0, tzinfo=UTC), tick=False):
        morning = send_due_messages()
    # then it waited, queued until 09:00, and left then
    assert (night.sent, held.status, held.next_attempt_at) == (
        0,
        "queued",
        datetime(2026, 6, 11, 7, 0, tzinfo=UTC),
    )
    assert morning.sent == 1
    assert len(smtp_sink.messages) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "counted"), [("cancelled", False), ("sent", True), ("queued", True)])
def test_a_reminder_counts_against_the_budget_only_if_it_was_not_held_back(
    org: Organization, smtp_sink: SmtpSink, status: str, counted: bool
) -> None:
    # given at most 2 solicitations per 30 days, and a customer invited 20 days ago
    policy(org, min_gap_days=0)
    customer = consenting(org, "A")
    earlier = solicit(customer, WEDNESDAY - timedelta(days=20))
    earlier.reminded_at = WEDNESDAY - timedelta(days=10)
    earlier.save(update_fields=["reminded_at"])
    # and the reminder of that invitation, queued 10 days ago: sent, still queued, or held back at send time
    message(
        customer,
        WEDNESDAY - timedelta(days=10),
        purpose="survey_reminder",
        subject_ref=f"invitation:{earlier.pk}",
        status=status,
        sent_at=WEDNESDAY - timedelta(days=10) if status == "sent" else None,
    )
    # when a new wave invites
    with time_machine.travel(WEDNESDAY, tick=False):
        planned = invite(SurveyFactory.create(organization=org, status="active"))
    # then a reminder that asked (or will ask) counts; one held back asked nothing and leaves room
    assert planned.invited == (0 if counted else 1)
