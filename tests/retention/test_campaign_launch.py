"""Launching a campaign: the audience snapshotted, split by the campaign's hash, e-mails queued for the
treatment group only, in one transaction; each e-mail checked again for consent and contact pressure
when it leaves, through a real SMTP server."""

from datetime import UTC, datetime, timedelta
from email.message import Message as EmailMessage
from typing import Any

import pytest
import time_machine
from django.utils import translation

from ecoute.accounts.models import Organization
from ecoute.analytics.lift import in_control
from ecoute.customers.models import Consent
from ecoute.listening.models import ContactPolicy
from ecoute.messaging.actions import queue_message
from ecoute.messaging.models import Message
from ecoute.messaging.sending import send_due_messages
from ecoute.retention.actions import launch_campaign
from ecoute.retention.campaign_launch import CampaignLaunchError
from ecoute.retention.models import CampaignMember
from tests.factories import OrganizationFactory, SurveyFactory
from tests.retention.campaigns import campaign_of, slipping_customer, treating
from tests.smtp_sink import SmtpSink

pytestmark = pytest.mark.usefixtures("waiting_tasks")

# A Tuesday at 10:00 in Paris: outside the default quiet hours and days.
LAUNCH = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def waiting_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def policy(org: Organization) -> ContactPolicy:
    return ContactPolicy.objects.create(organization=org, max_solicitations=2, per_days=30, min_gap_days=7)


def _text(received: EmailMessage) -> str:
    for part in received.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode()
    return ""


def test_launch_splits_the_audience_by_hash_and_emails_the_treatment_group_only(org: Organization) -> None:
    # Given 200 lost or at-risk customers with marketing consent, and one active customer
    slipping = [slipping_customer(org, "lost" if n % 2 else "at_risk") for n in range(200)]
    slipping_customer(org, "active")
    campaign = campaign_of(org)
    # When the campaign is launched
    with time_machine.travel(LAUNCH, tick=False):
        report = launch_campaign(campaign)
    # Then every slipping customer is a member, in the group the hash of the campaign's salt gives
    members = dict(CampaignMember.objects.filter(campaign=campaign).values_list("customer_id", "group"))
    assert set(members) == {c.pk for c in slipping}
    for customer in slipping:
        expected = "control" if in_control(campaign.salt, customer.pk, 0.15) else "treatment"
        assert members[customer.pk] == expected
    assert 0 < report.control < report.treatment
    assert report.control + report.treatment == 200
    # And one e-mail is queued per treated customer, none for the control group
    emailed = set(Message.objects.values_list("customer_id", flat=True))
    assert emailed == {pk for pk, group in members.items() if group == "treatment"}
    assert report.emails_queued == report.treatment
    message = Message.objects.first()
    assert message is not None
    assert (message.purpose, message.solicits, message.consent_purpose) == ("reactivation", True, "marketing")
    campaign.refresh_from_db()
    assert (campaign.status, campaign.launched_at) == ("launched", LAUNCH)


def test_a_campaign_launches_once(org: Organization) -> None:
    slipping_customer(org)
    campaign = campaign_of(org)
    launch_campaign(campaign, now=LAUNCH)
    # When it is launched again, then it is refused and nothing is added
    with translation.override("en"), pytest.raises(CampaignLaunchError, match="already"):
        launch_campaign(campaign, now=LAUNCH)
    assert CampaignMember.objects.count() == 1
    assert Message.objects.count() <= 1


def test_launch_with_an_inactive_survey_writes_nothing(org: Organization) -> None:
    slipping_customer(org)
    survey = SurveyFactory.create(organization=org, status="draft")
    campaign = campaign_of(org, survey=survey)
    with translation.override("en"), pytest.raises(CampaignLaunchError, match="not active"):
        launch_campaign(campaign, now=LAUNCH)
    campaign.refresh_from_db()
    assert (campaign.status, CampaignMember.objects.count(), Message.objects.count()) == ("draft", 0, 0)


def test_customers_without_address_or_marketing_consent_are_kept_with_the_reason(org: Organization) -> None:
    # Given treated customers without an address, without marketing consent, with it withdrawn
    campaign = campaign_of(org, control_share="0.05")
    no_address = slipping_customer(org, email="")
    never = slipping_customer(org, marketing=None)
    withdrawn = slipping_customer(org, marketing=False)
    treating(campaign, no_address, never, withdrawn)
    # When the campaign is launched
    report = launch_campaign(campaign, now=LAUNCH)
    # Then no e-mail is queued, and each member says why
    assert report.emails_queued == 0
    reasons = dict(CampaignMember.objects.values_list("customer_id", "skipped_reason"))
    assert reasons == {no_address.pk: "no_address", never.pk: "consent", withdrawn.pk: "consent"}


def test_the_email_speaks_the_customers_language_with_their_crm_fields(
    org: Organization, smtp_sink: SmtpSink, policy: ContactPolicy
) -> None:
    # Given a French customer with a CRM store and an English one without first name nor store
    campaign = campaign_of(org, control_share="0.05")
    french = slipping_customer(
        org, first_name="Jeanne", language="fr", attributes={"fidelity_store": "Croix-Rousse"}
    )
    english = slipping_customer(org, first_name="", language="en")
    treating(campaign, french, english)
    with time_machine.travel(LAUNCH, tick=False):
        launch_campaign(campaign)
        # When the outbox sends
        report = send_due_messages()
    # Then each e-mail reached the server in the customer's language, fields filled or their fallback
    assert report.sent == 2
    by_address = {m["To"]: m for m in smtp_sink.messages}
    fr, en = by_address[french.email], by_address[english.email]
    assert fr["Subject"] == "Jeanne, vous nous manquez"
    assert "Votre boutique de Croix-Rousse vous attend." in _text(fr)
    assert en["Subject"] == "Hello, we miss you"
    assert "Hello dear customer," in _text(en)
    assert "Your local shop is waiting." in _text(en)
    assert fr["List-Unsubscribe"] is not None


def test_consent_withdrawn_after_launch_stops_the_email_at_send_time(
    org: Organization, smtp_sink: SmtpSink, policy: ContactPolicy
) -> None:
    # Given a launched campaign whose treated customer withdraws marketing consent before sending
    customer = slipping_customer(org)
    campaign = campaign_of(org, control_share="0.05")
    treating(campaign, customer)
    with time_machine.travel(LAUNCH, tick=False):
        launch_campaign(campaign)
        Consent.objects.create(
            organization=org, customer=customer, channel="email", purpose="marketing", granted=False
        )
        # When the outbox sends
        send_due_messages()
    # Then nothing reached the server and the message says why
    assert smtp_sink.messages == []
    assert Message.objects.get().status == "suppressed"
    assert Message.objects.get().status_reason == "no_consent"


def test_contact_pressure_holds_campaign_emails_and_counts_them(
    org: Organization, smtp_sink: SmtpSink, policy: ContactPolicy
) -> None:
    # Given two treated customers, one of whom got a survey e-mail six days before the launch (a Wednesday)
    solicited, free = slipping_customer(org), slipping_customer(org)
    campaign = campaign_of(org, control_share="0.05")
    treating(campaign, solicited, free)
    with time_machine.travel(LAUNCH - timedelta(days=6), tick=False):
        queue_message(
            org, to_address=solicited.email, customer=solicited, subject="Votre avis", text_body="…",
            purpose="survey_invitation", idempotency_key="other-survey:1", solicits=True,
        )  # fmt: skip
        send_due_messages()
    with time_machine.travel(LAUNCH, tick=False):
        launch_campaign(campaign)
        # When the outbox sends the campaign's e-mails
        send_due_messages()
    # Then the customer solicited six days ago gets nothing (minimum gap of 7 days), the other one does
    campaign_messages = dict(
        Message.objects.filter(subject_ref=f"campaign:{campaign.pk}").values_list(
            "customer_id", "status_reason"
        )
    )
    assert campaign_messages == {solicited.pk: "gap", free.pk: ""}
    assert [m["To"] for m in smtp_sink.messages] == [solicited.email, free.email]
    # And the campaign e-mail sent counts against the budget: a survey e-mail the next day is held back
    with time_machine.travel(LAUNCH + timedelta(days=1), tick=False):
        queue_message(
            org, to_address=free.email, customer=free, subject="Votre avis", text_body="…",
            purpose="survey_invitation", idempotency_key="other-survey:2", solicits=True,
        )  # fmt: skip
        send_due_messages()
    assert Message.objects.get(idempotency_key="other-survey:2").status_reason == "gap"


def test_the_survey_action_invites_the_treatment_group_through_planning(org: Organization) -> None:
    # Given an active survey whose audience is everyone, and treated customers who consent to surveys
    survey = SurveyFactory.create(organization=org, status="active", audience={})
    customers = [slipping_customer(org) for _n in range(40)]
    for customer in customers:
        Consent.objects.create(
            organization=org, customer=customer, channel="email", purpose="surveys", granted=True
        )
    campaign = campaign_of(org, email_enabled=False, survey=survey)
    # When the campaign is launched
    with time_machine.travel(LAUNCH, tick=False):
        report = launch_campaign(campaign)
    # Then every treated customer, and no held-out one, is invited to the survey
    from ecoute.listening.models import Invitation

    invited = set(
        Invitation.objects.filter(survey=survey, status="queued").values_list("customer_id", flat=True)
    )
    treated = set(CampaignMember.objects.filter(group="treatment").values_list("customer_id", flat=True))
    assert invited == treated
    assert report.survey_invited == len(treated)


def test_a_bounced_address_is_kept_with_the_reason_and_not_queued(org: Organization) -> None:
    # Given two treated customers with consent: one whose address bounced (written in capitals), and
    # the same address suppressed in another organization for the other one, which does not count
    from ecoute.messaging.models import Suppression

    campaign = campaign_of(org, control_share="0.05")
    bounced = slipping_customer(org, email="Parti@Example.fr")
    reachable = slipping_customer(org, email="reste@example.fr")
    Suppression.objects.create(organization=org, address="parti@example.fr", reason="hard_bounce")
    other = OrganizationFactory.create(slug="ailleurs")
    Suppression.objects.create(organization=other, address="reste@example.fr", reason="complaint")
    treating(campaign, bounced, reachable)
    # When the campaign is launched
    report = launch_campaign(campaign, now=LAUNCH)
    # Then only the reachable customer's e-mail is queued, and the other says why
    assert report.emails_queued == 1
    assert report.skipped == {"suppressed": 1}
    reasons = dict(CampaignMember.objects.values_list("customer_id", "skipped_reason"))
    assert reasons == {bounced.pk: "suppressed", reachable.pk: ""}
    assert list(Message.objects.values_list("to_address", flat=True)) == ["reste@example.fr"]


def test_an_english_reader_gets_the_french_email_whole_when_it_has_no_english_text(
    org: Organization, smtp_sink: SmtpSink, policy: ContactPolicy
) -> None:
    # Given a campaign whose English e-mail has a subject but no text (saved before the form refused it)
    campaign = campaign_of(org, control_share="0.05", email_body_en="")
    english = slipping_customer(org, first_name="Ann", language="en")
    treating(campaign, english)
    with time_machine.travel(LAUNCH, tick=False):
        launch_campaign(campaign)
        send_due_messages()
    # Then the English reader gets the French e-mail, subject and text alike, said to be French
    (received,) = smtp_sink.messages
    assert received["Subject"] == "Ann, vous nous manquez"
    assert "Bonjour Ann," in _text(received)
    assert received["Content-Language"] == "fr"


def test_the_report_counts_the_emails_in_words_that_agree(
    org: Organization, smtp_sink: SmtpSink, policy: ContactPolicy
) -> None:
    # Given a launched campaign: one e-mail sent, one stopped by a withdrawal of consent
    from ecoute.retention.campaign_report import report_context

    sent, withdrawn = slipping_customer(org), slipping_customer(org)
    campaign = treating(campaign_of(org, control_share="0.05"), sent, withdrawn)
    with time_machine.travel(LAUNCH, tick=False):
        launch_campaign(campaign)
        Consent.objects.create(
            organization=org, customer=withdrawn, channel="email", purpose="marketing", granted=False
        )
        send_due_messages()
        # When the report is read in French
        campaign.refresh_from_db()
        with translation.override("fr"):
            emails = report_context(campaign, LAUNCH + timedelta(days=1))["emails"]
    # Then each line agrees with its number and says why an e-mail did not leave
    assert emails == ["1 e-mail envoyé", "1 e-mail non envoyé\u00a0: consentement retiré ou adresse écartée"]


@pytest.mark.parametrize(
    ("suppression", "reason"),
    [
        ({"reason": "do_not_contact"}, "do_not_contact"),
        ({"reason": "hard_bounce", "address": "x"}, "hard_bounce"),
    ],
)
def test_do_not_contact_or_a_bounce_after_launch_stops_the_email_at_send_time(
    org: Organization, smtp_sink: SmtpSink, policy: ContactPolicy, suppression: dict[str, str], reason: str
) -> None:
    # Given a launched campaign whose treated customer asks not to be contacted, or whose address
    # bounces (another message), before the campaign's e-mail leaves
    from ecoute.messaging.models import Suppression

    customer = slipping_customer(org, email="Jeanne@Example.fr")
    campaign = treating(campaign_of(org, control_share="0.05"), customer)
    with time_machine.travel(LAUNCH, tick=False):
        launch_campaign(campaign)
        target = {"address": "jeanne@example.fr"} if "address" in suppression else {"customer": customer}
        Suppression.objects.create(organization=org, reason=suppression["reason"], **target)
        # When the outbox sends
        send_due_messages()
    # Then nothing reached the server and the message says why
    assert smtp_sink.messages == []
    message = Message.objects.get()
    assert (message.status, message.status_reason) == ("suppressed", reason)
