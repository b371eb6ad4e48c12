"""The API cannot do what the web may not: invite without consent, past the contact pressure budget or
despite do-not-contact, get an e-mail out that became forbidden after it was queued, answer an
invitation twice, or reach another organization's surveys and invitations. Through HTTP, on the real
database, with a real SMTP server; the simultaneous answers go to the product served by gunicorn."""

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from ecoute.accounts.models import ApiKey, Organization
from ecoute.customers.models import Customer
from ecoute.listening.models import Invitation, Response
from ecoute.messaging.models import Message, Suppression
from ecoute.messaging.sending import send_due_messages
from tests.factories import ConsentFactory, CustomerFactory, SurveyFactory
from tests.listening.links import question
from tests.listening.live_site import served_site
from tests.listening.planning_helpers import consenting, message, policy, solicit
from tests.smtp_sink import SmtpSink

WEDNESDAY = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)  # 10:00 in Paris
SIMULTANEOUS = 8


@pytest.fixture
def api(org: Organization) -> Client:
    _key, secret = ApiKey.issue(org, "CRM")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", raise_request_exception=False)


@pytest.fixture
def wednesday_morning(settings: Any) -> Iterator[None]:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    with time_machine.travel(WEDNESDAY, tick=False):
        yield


def invite(client: Client, slug: str, *crm_ids: str) -> Any:
    body = {"customers": [{"crm_id": crm_id} for crm_id in crm_ids]}
    return client.post(
        f"/api/v1/surveys/{slug}/invitations", json.dumps(body), content_type="application/json"
    )


def respond(client: Client, invitation: int, score: int, key: str) -> Any:
    body = {"invitation": invitation, "answers": [{"question": "recommend", "score": score}]}
    return client.post(
        "/api/v1/responses",
        json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def nps_survey(org: Organization, slug: str = "relation") -> Any:
    survey = SurveyFactory.create(organization=org, slug=slug, status="active", cooldown_days=0)
    question(survey, "recommend", "nps", "Recommanderiez-vous la Maison ?", "Would you recommend us?")
    return survey


def withdraw_consent(customer: Customer, at: datetime) -> None:
    ConsentFactory.create(customer=customer, granted=False, recorded_at=at)


def received_by(sink: SmtpSink) -> set[str]:
    return {str(mail["To"]) for mail in sink.messages}


@pytest.mark.django_db
@pytest.mark.usefixtures("wednesday_morning")
def test_the_api_invites_no_one_without_consent_past_the_budget_or_asking_not_to_be_contacted(
    api: Client, org: Organization, smtp_sink: SmtpSink
) -> None:
    # Given at most 2 solicitations per 30 days, and customers who consent, never did, withdrew, were
    # solicited twice this month, or asked not to be contacted
    policy(org, min_gap_days=0)
    survey = nps_survey(org)
    allowed = consenting(org, "ALLOWED")
    CustomerFactory.create(organization=org, external_id="NEVER")
    withdraw_consent(consenting(org, "WITHDREW"), WEDNESDAY - timedelta(days=1))
    full = consenting(org, "FULL")
    solicit(full, WEDNESDAY - timedelta(days=10))
    message(full, WEDNESDAY - timedelta(days=3))
    Suppression.objects.create(organization=org, customer=consenting(org, "DNC"), reason="do_not_contact")

    # When the API invites them all, and the outbox sends
    answer = invite(api, "relation", "ALLOWED", "NEVER", "WITHDREW", "FULL", "DNC")
    send_due_messages()

    # Then only the consenting customer within the budget is invited, and only they get an e-mail
    assert answer.status_code == 201
    assert [item["crm_id"] for item in answer.json()["invited"]] == ["ALLOWED"]
    assert {item["crm_id"]: item["reason"] for item in answer.json()["skipped"]} == {
        "NEVER": "consent", "WITHDREW": "consent", "FULL": "pressure", "DNC": "do_not_contact"
    }  # fmt: skip
    assert received_by(smtp_sink) == {allowed.email}
    assert Invitation.objects.filter(survey=survey).exclude(status="skipped").get().customer == allowed


@pytest.mark.django_db
@pytest.mark.usefixtures("wednesday_morning")
def test_the_outbox_refuses_what_became_forbidden_after_the_api_queued_it(
    api: Client, org: Organization, smtp_sink: SmtpSink
) -> None:
    # Given at most 2 solicitations per 30 days, and five consenting customers invited through the API
    policy(org, min_gap_days=0)
    nps_survey(org)
    customers = {name: consenting(org, name) for name in ("STAYS", "WITHDRAWS", "DNC", "CAMPAIGN", "BOUNCES")}
    message(customers["CAMPAIGN"], WEDNESDAY - timedelta(days=20))
    answer = invite(api, "relation", *customers)
    assert answer.json()["counts"] == {"planned": 5, "skipped": {}}

    # When, before the e-mails leave, one withdraws consent, one asks not to be contacted, one receives
    # a campaign that fills their budget, and one's address bounces elsewhere
    later = WEDNESDAY + timedelta(minutes=5)
    withdraw_consent(customers["WITHDRAWS"], later)
    Suppression.objects.create(organization=org, customer=customers["DNC"], reason="do_not_contact")
    message(customers["CAMPAIGN"], later)
    Suppression.objects.create(organization=org, address=customers["BOUNCES"].email, reason="hard_bounce")
    with time_machine.travel(later + timedelta(minutes=5), tick=False):
        send_due_messages()

    # Then only the customer nothing changed for receives the invitation; each other keeps its reason
    assert received_by(smtp_sink) == {customers["STAYS"].email}
    invitations = Message.objects.filter(purpose="survey_invitation")
    outcomes = invitations.values_list("customer__external_id", "status", "status_reason")
    assert {crm_id: (status, reason) for crm_id, status, reason in outcomes} == {
        "STAYS": ("sent", ""),
        "WITHDRAWS": ("suppressed", "no_consent"),
        "DNC": ("suppressed", "do_not_contact"),
        "CAMPAIGN": ("cancelled", "pressure"),
        "BOUNCES": ("suppressed", "hard_bounce"),
    }


@pytest.mark.django_db
@pytest.mark.usefixtures("wednesday_morning")
def test_an_invitation_made_by_the_api_takes_one_response_however_often_it_is_sent(
    api: Client, org: Organization
) -> None:
    # Given an invitation made through the API
    nps_survey(org)
    policy(org)
    consenting(org, "A")
    invitation = invite(api, "relation", "A").json()["invited"][0]["invitation"]

    # When a response is sent, then another one under another key
    first = respond(api, invitation, 9, "first")
    second = respond(api, invitation, 2, "second")

    # Then the first is kept and the second refused
    assert (first.status_code, second.status_code) == (201, 409)
    assert list(Response.objects.values_list("invitation_id", "nps_level")) == [(invitation, "promoter")]


@pytest.mark.django_db(transaction=True)
def test_simultaneous_api_responses_to_one_invitation_store_one(api: Client, org: Organization) -> None:
    # Given an invitation made through the API (no quiet hours, whatever the hour the test runs at)
    nps_survey(org)
    policy(org, quiet_start=time(0), quiet_end=time(0))
    consenting(org, "A")
    invitation = invite(api, "relation", "A").json()["invited"][0]["invitation"]
    _key, secret = ApiKey.issue(org, "CRM bis")

    with served_site() as site:
        start = threading.Barrier(SIMULTANEOUS)

        # When several responses are sent at the same moment, half of them (alike) under one shared key
        def send(index: int) -> tuple[int, Any]:
            key, score = ("shared", 7) if index % 2 else (f"own-{index}", index)
            body = {"invitation": invitation, "answers": [{"question": "recommend", "score": score}]}
            request = urllib.request.Request(  # noqa: S310 - a local http:// address
                f"{site}/api/v1/responses",
                json.dumps(body).encode(),
                headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json",
                         "Idempotency-Key": key},
            )  # fmt: skip
            start.wait()
            try:
                with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
                    return answer.status, json.loads(answer.read())
            except urllib.error.HTTPError as error:
                return error.code, json.loads(error.read())

        with ThreadPoolExecutor(SIMULTANEOUS) as pool:
            answers = list(pool.map(send, range(SIMULTANEOUS)))

    # Then one response is stored, and every answer either is it or refuses
    assert Response.objects.filter(invitation_id=invitation).count() == 1
    stored = Response.objects.get(invitation_id=invitation).pk
    assert {status for status, _body in answers} <= {201, 409}
    assert {body["id"] for status, body in answers if status == 201} == {stored}


@pytest.mark.django_db
@pytest.mark.usefixtures("wednesday_morning")
def test_another_organizations_survey_invitations_and_customers_are_out_of_reach(
    api: Client, org: Organization, other_org: Organization
) -> None:
    # Given another organization with a survey of the same slug, one of its own, a customer, an invitation
    policy(org)
    policy(other_org)
    nps_survey(org, slug="relation")
    theirs = nps_survey(other_org, slug="relation")
    nps_survey(other_org, slug="leur-enquete")
    their_customer = consenting(other_org, "SHARED-ID")
    their_invitation = solicit(their_customer, WEDNESDAY - timedelta(days=1), survey=theirs)

    # When the organization's key invites to their survey, names their customer, answers their invitation
    to_their_survey = invite(api, "leur-enquete", "SHARED-ID")
    naming_their_customer = invite(api, "relation", "SHARED-ID")
    answering_theirs = respond(api, their_invitation.pk, 10, "theirs")

    # Then their survey and invitation are not found, and their customer is unknown here
    assert (to_their_survey.status_code, answering_theirs.status_code) == (404, 404)
    assert naming_their_customer.json()["skipped"][0]["reason"] == "unknown_customer"
    assert Invitation.objects.filter(organization=other_org).count() == 1
    assert not Response.objects.exists()
