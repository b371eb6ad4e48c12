"""The listening API invites named customers by the planning the web and the CLI use: the same rules,
the same reasons, the same outbox, and a dry run that tells the same without writing."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from ecoute.accounts.models import ApiKey, ApiKeyScope, Organization
from ecoute.listening.models import Invitation, InvitationLink, Survey
from ecoute.listening.planning import preview
from ecoute.messaging.models import Message
from tests.factories import InteractionFactory, SurveyFactory
from tests.listening.planning_helpers import consenting, every_situation, policy

pytestmark = pytest.mark.django_db

WEDNESDAY = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)  # 10:00 in Paris
PLANNING_REASONS = ("no_address", "do_not_contact", "bounced", "consent", "pressure", "gap", "cooldown")


@pytest.fixture(autouse=True)
def wednesday_morning(settings: Any) -> Iterator[None]:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    with time_machine.travel(WEDNESDAY, tick=False):
        yield


@pytest.fixture
def api(org: Organization) -> Client:
    _key, secret = ApiKey.issue(org, "CRM")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", raise_request_exception=False)


def invite(client: Client, slug: str, body: Any, **headers: str) -> Any:
    return client.post(
        f"/api/v1/surveys/{slug}/invitations",
        json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def by_crm_id(*crm_ids: str, dry_run: bool = False) -> dict[str, Any]:
    return {"customers": [{"crm_id": crm_id} for crm_id in crm_ids], "dry_run": dry_run}


def outcomes(answer: Any) -> dict[str, str]:
    """CRM id → "invited" or the reason it was skipped."""
    body = answer.json()
    return {
        **{item["crm_id"]: "invited" for item in body["invited"]},
        **{item["crm_id"]: item["reason"] for item in body["skipped"]},
    }


def active_survey(org: Organization, **fields: Any) -> Survey:
    return SurveyFactory.create(organization=org, status="active", slug="relation", **fields)


def test_each_named_customer_is_invited_or_skipped_with_the_reason_planning_gives(
    api: Client, org: Organization
) -> None:
    # Given a customer in every situation planning tells apart
    policy(org)
    survey = active_survey(org)
    situations = every_situation(org, survey, WEDNESDAY)

    # When the API invites them all by CRM id
    answer = invite(api, "relation", by_crm_id(*(c.external_id for c in situations.values())))

    # Then each gets the outcome a wave would give, and the invitations and e-mails are written alike
    assert answer.status_code == 201
    assert outcomes(answer) == {customer.external_id: name for name, customer in situations.items()}
    body = answer.json()
    assert body["counts"] == {"planned": 1, "skipped": dict.fromkeys(PLANNING_REASONS, 1)}
    invited = Invitation.objects.get(pk=body["invited"][0]["invitation"])
    assert (invited.customer, invited.status, invited.wave_id) == (
        situations["invited"],
        "queued",
        body["wave"],
    )
    skipped = {item["reason"]: item["invitation"] for item in body["skipped"]}
    assert Invitation.objects.get(pk=skipped["pressure"]).skip_reason == "pressure"
    emails = Message.objects.filter(purpose="survey_invitation")
    assert list(emails.values_list("to_address", "subject_ref")) == [
        (situations["invited"].email, f"invitation:{invited.pk}")
    ]
    # and no link is made before its e-mail leaves: the answer holds no token
    assert not InvitationLink.objects.exists()
    assert invited.token_hash is None


def test_customers_are_found_by_crm_id_or_email_and_named_ones_planning_cannot_see_are_said(
    api: Client, org: Organization, other_org: Organization
) -> None:
    # Given a segment of VIPs, a VIP, a non-VIP, two customers sharing an address, another org's customer
    policy(org)
    active_survey(org, audience={"segment": {"region": ["Bretagne"]}})
    vip = consenting(org, "VIP", region="Bretagne", email="vip@example.fr")
    consenting(org, "OUT", region="Alsace")
    consenting(org, "TWIN1", region="Bretagne", email="twins@example.fr")
    consenting(org, "TWIN2", region="Bretagne", email="twins@example.fr")
    consenting(other_org, "THEIRS", region="Bretagne")
    names = [{"email": " VIP@Example.fr "}, {"crm_id": "OUT"}, {"email": "twins@example.fr"},
             {"crm_id": "THEIRS"}, {"crm_id": "VIP"}]  # fmt: skip

    # When the API invites them
    answer = invite(api, "relation", {"customers": names})

    # Then the VIP is invited once, and every other name is skipped with its reason, in request order
    body = answer.json()
    assert body["invited"] == [
        {"row": 1, "crm_id": "VIP", "email": "vip@example.fr", "invitation": vip.survey_invitations.get().pk}
    ]
    assert [(s["row"], s["reason"]) for s in body["skipped"]] == [
        (2, "not_in_audience"), (3, "ambiguous_email"), (4, "unknown_customer"), (5, "named_twice")
    ]  # fmt: skip
    assert body["skipped"][2]["crm_id"] == "THEIRS"
    assert not Invitation.objects.filter(organization=other_org).exists()


def test_a_request_that_finds_no_one_opens_no_wave(api: Client, org: Organization) -> None:
    # Given an active survey that has not been planned today
    survey = active_survey(org)

    # When the API names only customers the organization does not have
    answer = invite(api, "relation", by_crm_id("NOBODY", "NOONE"))

    # Then both are said unknown, and the survey has no wave
    assert answer.status_code == 201
    assert [item["reason"] for item in answer.json()["skipped"]] == ["unknown_customer"] * 2
    assert (answer.json()["wave"], survey.waves.count()) == (None, 0)


def test_a_second_request_finds_the_customer_already_in_todays_wave(api: Client, org: Organization) -> None:
    # Given a customer invited through the API this morning
    policy(org)
    active_survey(org, cooldown_days=0)
    consenting(org, "A")
    first = invite(api, "relation", by_crm_id("A")).json()

    # When the API names them again later that day (and the web plans the wave)
    with time_machine.travel(WEDNESDAY + timedelta(hours=2), tick=False):
        again = invite(api, "relation", by_crm_id("A"))

    # Then they are not invited twice: the answer points to their invitation
    assert again.status_code == 201
    assert again.json()["skipped"][0]["reason"] == "already_invited"
    assert again.json()["skipped"][0]["invitation"] == first["invited"][0]["invitation"]
    assert Invitation.objects.count() == 1
    assert Message.objects.count() == 1


def test_a_dry_run_tells_what_inviting_would_do_and_writes_nothing(api: Client, org: Organization) -> None:
    # Given a customer in every situation
    policy(org)
    survey = active_survey(org)
    situations = every_situation(org, survey, WEDNESDAY)
    invitations_before = Invitation.objects.count()
    crm_ids = [c.external_id for c in situations.values()]

    # When the API asks for a dry run, then invites for real
    dry = invite(api, "relation", by_crm_id(*crm_ids, dry_run=True))
    written_by_dry_run = Invitation.objects.count() - invitations_before
    real = invite(api, "relation", by_crm_id(*crm_ids))

    # Then the dry run wrote nothing and told the outcome the real one had, as the web preview counts it
    assert (dry.status_code, real.status_code) == (200, 201)
    assert written_by_dry_run == 0
    assert outcomes(dry) == outcomes(real)
    assert dry.json()["counts"] == real.json()["counts"]
    assert {item["invitation"] for item in dry.json()["invited"] + dry.json()["skipped"]} == {None}
    assert preview(survey).counts() == {"planned": 0, "skipped": {}}  # all of them are in the wave now


def test_inside_quiet_hours_the_invitation_is_planned_for_their_end(api: Client, org: Organization) -> None:
    # Given quiet hours from 20:00 to 09:00 in Paris, and a request at 22:00
    policy(org, quiet_start=time(20), quiet_end=time(9))
    active_survey(org)
    consenting(org, "A")
    with time_machine.travel(datetime(2026, 6, 10, 20, 0, tzinfo=UTC), tick=False):
        answer = invite(api, "relation", by_crm_id("A"))

    # Then the customer is invited, and the e-mail waits until 09:00
    body = answer.json()
    assert (body["deferred"], body["counts"]["planned"]) == (True, 1)
    assert datetime.fromisoformat(body["send_at"]) == datetime(2026, 6, 11, 7, 0, tzinfo=UTC)
    assert Message.objects.get().next_attempt_at == datetime(2026, 6, 11, 7, 0, tzinfo=UTC)


def test_a_transactional_survey_invites_a_named_customer_for_their_due_event_only(
    api: Client, org: Organization
) -> None:
    # Given a survey two days after a support ticket, a customer with a ticket three days ago, one without
    policy(org)
    active_survey(org, kind="transactional", audience={"trigger": {"event": "interaction", "after_days": 2}})
    ticketed = consenting(org, "T")
    InteractionFactory.create(customer=ticketed, organization=org, external_id="I1",
                              occurred_at=WEDNESDAY - timedelta(days=3))  # fmt: skip
    consenting(org, "N")

    # When the API names both
    answer = invite(api, "relation", by_crm_id("T", "N"))

    # Then the one whose event is due is invited for it; the other is not in the audience
    assert outcomes(answer) == {"T": "invited", "N": "not_in_audience"}
    assert answer.json()["wave"] is None
    assert Invitation.objects.get().trigger_ref == "interaction:I1"


def test_the_same_key_replays_the_answer_and_refuses_another_body(api: Client, org: Organization) -> None:
    # Given two customers
    policy(org)
    active_survey(org)
    consenting(org, "A")
    consenting(org, "B")

    # When the API invites A under a key, retries it, then sends B under the same key
    first = invite(api, "relation", by_crm_id("A"), **{"Idempotency-Key": "inv-1"})
    retry = invite(api, "relation", by_crm_id("A"), **{"Idempotency-Key": "inv-1"})
    other = invite(api, "relation", by_crm_id("B"), **{"Idempotency-Key": "inv-1"})

    # Then the retry gets the first answer, the other body is refused, and one invitation exists
    assert (first.status_code, retry.status_code, other.status_code) == (201, 201, 422)
    assert retry.json() == first.json()
    assert list(Invitation.objects.values_list("customer__external_id", flat=True)) == ["A"]


def test_requests_the_api_cannot_take_are_refused_in_the_callers_language(
    api: Client, org: Organization, other_org: Organization
) -> None:
    # Given a draft survey, another organization's active one, and an active one
    SurveyFactory.create(organization=org, slug="brouillon")
    SurveyFactory.create(organization=other_org, slug="ailleurs", status="active")
    active_survey(org)
    consenting(org, "A")
    too_many = {"customers": [{"crm_id": f"C{n}"} for n in range(1001)]}

    # When the API is asked to invite to each, and badly named customers
    answers = {
        "draft": invite(api, "brouillon", by_crm_id("A")),
        "foreign": invite(api, "ailleurs", by_crm_id("A")),
        "too_many": invite(api, "relation", too_many, HTTP_ACCEPT_LANGUAGE="fr"),
        "both": invite(api, "relation", {"customers": [{"crm_id": "A", "email": "a@example.fr"}]}),
        "sms": invite(api, "relation", {"customers": [{"crm_id": "A"}], "channel": "sms"}),
        "empty": invite(api, "relation", {"customers": []}),
    }

    # Then each is refused with its status and reason, and nothing is written
    assert {name: a.status_code for name, a in answers.items()} == {
        "draft": 404, "foreign": 404, "too_many": 413, "both": 400, "sms": 422, "empty": 422
    }  # fmt: skip
    assert answers["too_many"].json()["detail"] == "Au plus 1\xa0000 clients par requête."
    assert [(p["row"], p["field"]) for p in answers["both"].json()["problems"]] == [(1, "email")]
    assert not Invitation.objects.exists()


def test_a_key_that_may_only_read_cannot_invite(org: Organization) -> None:
    # Given a read-only key and an active survey
    active_survey(org)
    consenting(org, "A")
    _key, secret = ApiKey.issue(org, "BI", scope=ApiKeyScope.READ)

    # When it asks to invite
    answer = invite(Client(HTTP_AUTHORIZATION=f"Bearer {secret}"), "relation", by_crm_id("A"))

    # Then it is refused
    assert answer.status_code == 403
    assert not Invitation.objects.exists()
