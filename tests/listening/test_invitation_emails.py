"""Invitations leave as e-mails carrying the first NPS question as eleven links; one reminder goes to
those who have not answered; every e-mail's link is its own, made when it is sent."""

import re
from datetime import UTC, datetime, timedelta
from email.message import Message as EmailMessage
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer
from ecoute.listening.invitation_email import invitation_email
from ecoute.listening.invitation_sending import queue_due_reminders, queue_invitations
from ecoute.listening.models import Invitation, InvitationLink
from ecoute.messaging.models import Message
from ecoute.messaging.sending import send_due_messages
from tests.factories import ConsentFactory, CustomerFactory, InvitationFactory, OrganizationFactory
from tests.listening.links import nps_survey
from tests.smtp_sink import SmtpSink

pytestmark = pytest.mark.django_db
SCORE_LINK = re.compile(r'href="http://localhost:8000(/s/[\w-]+/(\d+))"')


def _consenting(org: Organization, email: str, **fields: Any) -> Customer:
    customer = CustomerFactory.create(organization=org, email=email, **fields)
    ConsentFactory.create(customer=customer, channel="email", purpose="surveys", granted=True)
    return customer


def _parts(received: EmailMessage) -> tuple[str, str]:
    bodies = {
        part.get_content_type(): bytes(part.get_payload(decode=True) or b"").decode()
        for part in received.walk()
        if part.get_content_type() in {"text/plain", "text/html"}
    }
    return bodies["text/plain"], bodies["text/html"]


def test_an_invitation_carries_eleven_score_links_in_the_customer_language_and_one_tap_opens_the_survey(
    org: Organization, smtp_sink: SmtpSink, settings: Any
) -> None:
    # Given an NPS survey whose e-mail greets the customer by name, and an English-speaking customer
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    survey = nps_survey(
        org,
        email_subject_en="{first_name|Hello}, a minute for us?",
        email_body_en="Dear {first_name|customer},",
    )
    customer = _consenting(org, "ada@example.org", first_name="Ada", language="en")
    invitation = InvitationFactory.create(survey=survey, customer=customer, status="planned", token_hash=None)

    # When the invitation is queued and the outbox sends it
    assert queue_invitations(Invitation.objects.filter(pk=invitation.pk)) == 1
    send_due_messages()

    # Then one e-mail in English arrives, with the NPS question as eleven links and a plain text part
    [received] = smtp_sink.messages
    assert received["Subject"] == "Ada, a minute for us?"
    assert received["List-Unsubscribe"]
    text, html = _parts(received)
    assert "Dear Ada," in html
    assert "Would you recommend us?" in html
    scores = SCORE_LINK.findall(html)
    assert [int(score) for _path, score in scores] == list(range(11))
    assert "{" not in html
    assert "{" not in text
    assert "/s/" in text
    # And only the digest of its link is stored: no token in the stored message
    invitation.refresh_from_db()
    assert invitation.status == "sent"
    assert invitation.sent_at is not None
    path_of_nine = scores[9][0]
    token = path_of_nine.split("/")[2]
    assert InvitationLink.objects.filter(invitation=invitation).count() == 1
    stored = Message.objects.get(subject_ref=f"invitation:{invitation.pk}")
    assert token not in stored.text_body + stored.html_body

    # When the customer taps 9 in the e-mail
    page = Client().get(path_of_nine)

    # Then the survey opens with 9 chosen, and nothing is recorded until they confirm
    assert page.status_code == 200
    assert 'value="9" checked' in page.content.decode()
    assert not invitation.survey.responses.exists()


def test_one_reminder_goes_after_the_delay_only_to_those_who_have_not_answered_and_both_links_work(
    org: Organization, smtp_sink: SmtpSink, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False) as clock:
        # Given two customers invited to a survey that reminds after three days
        survey = nps_survey(org, reminder_after_days=3, expires_after_days=14)
        answering = _consenting(org, "rose@example.org", first_name="Rose", city="Lyon")
        silent = _consenting(org, "paul@example.org", first_name="Paul", city="Lyon")
        for customer in (answering, silent):
            InvitationFactory.create(survey=survey, customer=customer, status="planned", token_hash=None)
        queue_invitations(Invitation.objects.filter(survey=survey))
        send_due_messages()
        first_links = {str(m["To"]): SCORE_LINK.findall(_parts(m)[1])[0][0] for m in smtp_sink.messages}
        # And one of them answers
        client = Client()
        token = first_links["rose@example.org"].split("/")[2]
        client.post(f"/s/{token}", {"question": "recommend", "score": "10"})
        client.post(f"/s/{token}", {"question": "liked_most", "text": "Le conseil"})

        # When two days pass, nothing is due; when the third has passed, reminders are queued
        clock.shift(timedelta(days=2))
        assert queue_due_reminders() == 0
        clock.shift(timedelta(days=1, seconds=1))
        assert queue_due_reminders() == 1
        assert queue_due_reminders() == 0  # each invitation is reminded once
        send_due_messages()

    # Then only the silent customer got a reminder, with a link of its own; both of their links work
    reminders = smtp_sink.messages[2:]
    assert [str(m["To"]) for m in reminders] == ["paul@example.org"]
    assert str(reminders[0]["Subject"]).startswith("Rappel")
    second = SCORE_LINK.findall(_parts(reminders[0])[1])[0][0]
    assert second != first_links["paul@example.org"]
    for path in (first_links["paul@example.org"], second):
        assert Client().get(path).status_code == 200


def test_a_customer_who_withdrew_consent_before_sending_gets_no_invitation(
    org: Organization, smtp_sink: SmtpSink, settings: Any
) -> None:
    # Given a planned invitation to a customer who consented, then withdrew before the e-mail left
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    survey = nps_survey(org)
    customer = _consenting(org, "lea@example.org")
    invitation = InvitationFactory.create(survey=survey, customer=customer, status="planned", token_hash=None)
    queue_invitations(Invitation.objects.filter(pk=invitation.pk))
    ConsentFactory.create(customer=customer, channel="email", purpose="surveys", granted=False)

    # When the outbox sends
    send_due_messages()

    # Then nothing leaves and no link to the survey exists
    assert smtp_sink.messages == []
    assert not InvitationLink.objects.exists()


def test_outbox_send_run_from_cron_queues_the_reminders_that_fell_due_for_its_organization_only(
    org: Organization, other_org: Organization, smtp_sink: SmtpSink, settings: Any
) -> None:
    # Given an install with no worker (cron runs `ecoute outbox send`), and a customer of each
    # organization invited to a survey that reminds after two days, neither answering
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    with time_machine.travel(timezone.now().replace(microsecond=0), tick=False) as clock:
        for organization, email in ((org, "rose@example.org"), (other_org, "ines@example.org")):
            customer = _consenting(organization, email)
            survey = nps_survey(organization, reminder_after_days=2)
            InvitationFactory.create(survey=survey, customer=customer, status="planned", token_hash=None)
            queue_invitations(Invitation.objects.filter(survey=survey))
        call_command("outbox", "send", stdout=StringIO())

        # When the delay has passed and cron runs the outbox of the first organization
        clock.shift(timedelta(days=2, seconds=1))
        call_command("outbox", "send", "--org", org.slug, stdout=StringIO())

    # Then its customer is reminded, and the other organization's is left to its own pass
    assert [str(m["To"]) for m in smtp_sink.messages[2:]] == ["rose@example.org"]
    reminded = Invitation.objects.filter(reminded_at__isnull=False)
    assert list(reminded.values_list("customer__email", flat=True)) == ["rose@example.org"]


def test_invitations_of_two_organizations_queued_together_are_each_filed_under_their_own(
    org: Organization, settings: Any
) -> None:
    # Given planned invitations of two organizations
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    ours = InvitationFactory.create(
        survey=nps_survey(org), customer=_consenting(org, "a@example.org"), status="planned", token_hash=None
    )
    other_org = OrganizationFactory.create(slug="autre")
    theirs = InvitationFactory.create(
        survey=nps_survey(other_org),
        customer=_consenting(other_org, "b@example.org"),
        status="planned",
        token_hash=None,
    )
    # When they are queued in one call
    assert queue_invitations(Invitation.objects.filter(pk__in=[ours.pk, theirs.pk])) == 2
    # Then each e-mail belongs to its invitation's organization
    filed = dict(Message.objects.values_list("to_address", "organization_id"))
    assert filed == {"a@example.org": org.pk, "b@example.org": other_org.pk}


def test_the_link_s_last_day_is_the_organization_s_calendar_day(org: Organization) -> None:
    # Given an invitation of a Montréal organization whose link expires on 30 June at 23:30 there
    # (1 July in Paris, the server's zone)
    org.time_zone = "America/Montreal"
    org.save(update_fields=["time_zone"])
    survey = nps_survey(org)
    customer = _consenting(org, "ada@example.org", language="fr")
    expires = datetime(2026, 7, 1, 3, 30, tzinfo=UTC)
    invitation = InvitationFactory.create(survey=survey, customer=customer, expires_at=expires)
    # When its e-mail is written
    email = invitation_email(Invitation.objects.select_related("organization").get(pk=invitation.pk))
    # Then the date is Montréal's: 30 June
    assert "30 juin 2026" in email.text
    assert "juillet" not in email.text
