"""The listening API: surveys read, responses created under the web's rules, one per invitation."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ecoute.accounts.models import ApiKey, Organization
from ecoute.listening.models import Invitation, Response
from tests.factories import CustomerFactory, SurveyFactory
from tests.listening.links import invitation_with_token, nps_survey, public_link_with_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(org: Organization) -> Client:
    _key, secret = ApiKey.issue(org, "CRM")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _post(client: Client, body: Any, key: str = "") -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        "/api/v1/responses", json.dumps(body), content_type="application/json", headers=headers
    )


def _invitation(org: Organization) -> tuple[Invitation, str]:
    return invitation_with_token(
        survey=nps_survey(org), customer=CustomerFactory.create(organization=org, language="fr", city="Lyon")
    )


def test_surveys_are_read_with_their_questions_within_the_organization(
    api: Client, org: Organization, other_org: Organization
) -> None:
    # Given a survey of the organization and one of another
    survey = nps_survey(org, slug="relation")
    SurveyFactory.create(organization=other_org, slug="ailleurs")

    # When the API lists them and gets each by slug
    listed = api.get("/api/v1/surveys").json()
    mine = api.get("/api/v1/surveys/relation")
    theirs = api.get("/api/v1/surveys/ailleurs")

    # Then only the organization's is there, with its questions in order
    assert [item["slug"] for item in listed] == ["relation"]
    assert mine.json()["id"] == survey.pk
    assert [q["code"] for q in mine.json()["questions"]] == ["recommend", "went_wrong", "liked_most", "city"]
    assert mine.json()["questions"][1]["show_if"] == {"question": "recommend", "min": 0, "max": 6}
    assert theirs.status_code == 404


def test_a_response_to_an_invitation_is_recorded_once_and_replayed_for_its_key(
    api: Client, org: Organization
) -> None:
    # Given an invitation
    invitation, _token = _invitation(org)
    answers = [{"question": "recommend", "score": 3}, {"question": "went_wrong", "text": "Trop d'attente"}]
    body = {"invitation": invitation.pk, "answers": answers}

    # When the API records it, retries with the same key, then sends it again under another key
    first = _post(api, body, key="r-1")
    retry = _post(api, body, key="r-1")
    other = _post(api, body, key="r-2")

    # Then one completed detractor response, the retry answered alike, the second refused
    assert first.status_code == 201
    assert first.json()["nps_level"] == "detractor"
    assert first.json()["completed_at"]
    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert other.status_code == 409
    assert Response.objects.filter(invitation=invitation).count() == 1
    invitation.refresh_from_db()
    assert invitation.status == "completed"
    assert Response.objects.get().channel == "api"


def test_the_api_cannot_add_a_response_to_an_invitation_answered_on_the_web(
    api: Client, org: Organization
) -> None:
    # Given an invitation answered on the web, and another started there (one answer given)
    done, done_token = _invitation(org)
    Client().post(f"/s/{done_token}", {"question": "recommend", "score": "8"})
    started, started_token = invitation_with_token(
        survey=done.survey, customer=CustomerFactory.create(organization=org, city="")
    )
    Client().post(f"/s/{started_token}", {"question": "recommend", "score": "8"})

    # When the API sends a response for each
    answers = [{"question": "recommend", "score": 10}]
    refused = [_post(api, {"invitation": pk, "answers": answers}) for pk in (done.pk, started.pk)]

    # Then both are refused, and each invitation keeps its one response
    assert [answer.status_code for answer in refused] == [409, 409]
    assert Response.objects.filter(invitation=done).count() == 1
    assert Response.objects.filter(invitation=started).count() == 1
    assert not Response.objects.filter(channel="api").exists()


def test_expired_revoked_and_foreign_invitations_are_refused(
    api: Client, org: Organization, other_org: Organization
) -> None:
    # Given an expired, a revoked invitation, and one of another organization
    expired, _t1 = _invitation(org)
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    revoked, _t2 = _invitation(org)
    Invitation.objects.filter(pk=revoked.pk).update(status="revoked")
    foreign, _t3 = _invitation(other_org)

    # When the API answers each
    answers = [{"question": "recommend", "score": 9}]
    statuses = [
        _post(api, {"invitation": i.pk, "answers": answers}).status_code for i in (expired, revoked, foreign)
    ]

    # Then the organization's are refused as closed and the other's is not found; nothing is stored
    assert statuses == [409, 409, 404]
    assert not Response.objects.exists()


def test_bad_answers_are_refused_naming_the_answer_and_the_reason(api: Client, org: Organization) -> None:
    # Given an invitation
    invitation, _token = _invitation(org)

    # When the API sends a score of 11 and an unknown question
    answers = [{"question": "recommend", "score": 11}, {"question": "nope", "text": "?"}]
    refused = _post(api, {"invitation": invitation.pk, "answers": answers}, key="bad")

    # Then each is named, in French, and nothing is written
    assert refused.status_code == 400
    problems = refused.json()["problems"]
    assert [(p["row"], p["code"]) for p in problems] == [(1, "invalid_answer"), (2, "unknown_question")]
    assert problems[0]["value"] == "11"
    assert "choix" in problems[0]["message"]
    assert not Response.objects.exists()


def test_a_response_through_a_public_link_is_anonymous_and_refused_once_deactivated(
    api: Client, org: Organization
) -> None:
    # Given an active and a deactivated public link
    survey = nps_survey(org)
    active, _t1 = public_link_with_token(survey=survey)
    inactive, _t2 = public_link_with_token(survey=survey, active=False)

    # When the API records a response through each
    answers = [{"question": "recommend", "score": 7}]
    accepted = _post(api, {"public_link": active.pk, "answers": answers})
    refused = _post(api, {"public_link": inactive.pk, "answers": answers})

    # Then the first is stored without a customer, the second refused
    assert accepted.status_code == 201
    assert refused.status_code == 409
    response = Response.objects.get()
    assert response.customer is None
    assert response.public_link == active
    assert response.nps_level == "passive"


def test_an_answer_to_a_question_the_respondent_would_not_be_asked_is_refused(
    api: Client, org: Organization
) -> None:
    # Given an invitation to the NPS survey: "what went wrong?" is asked of detractors only (0–6)
    invitation, _token = _invitation(org)

    # When the API sends a promoter's score with an answer to the detractors' question
    answers: list[dict[str, Any]] = [
        {"question": "recommend", "score": 10},
        {"question": "went_wrong", "text": "Tout"},
    ]
    refused = _post(api, {"invitation": invitation.pk, "answers": answers}, key="hidden")

    # Then that answer is named as one the respondent is not asked, and nothing is written
    assert refused.status_code == 400
    assert [(p["row"], p["field"], p["code"]) for p in refused.json()["problems"]] == [
        (2, "question", "not_asked")
    ]
    assert not Response.objects.exists()
    # And a detractor's answer to it is recorded
    answers[0]["score"] = 3
    assert _post(api, {"invitation": invitation.pk, "answers": answers}, key="shown").status_code == 201
    assert Response.objects.get().answers.get(question__code="went_wrong").text == "Tout"


@pytest.mark.parametrize("slug", ["%00", "nps%00", "%C0%80"])
def test_a_survey_slug_no_database_can_hold_answers_404(api: Client, org: Organization, slug: str) -> None:
    # Given a survey; when the API is asked for a slug holding a NUL (which PostgreSQL refuses in a query)
    nps_survey(org, slug="nps")
    got = api.get(f"/api/v1/surveys/{slug}")
    invited = api.post(f"/api/v1/surveys/{slug}/invitations", json.dumps({"customers": [{"crm_id": "C1"}]}),
                       content_type="application/json")  # fmt: skip
    # Then it is simply not found
    assert (got.status_code, invited.status_code) == (404, 404)
