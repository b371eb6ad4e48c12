"""What one answer costs the database, and what the answering pages keep between requests: the
survey's questions, read again as soon as the survey is edited."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ecoute.accounts.models import Organization
from ecoute.lib.tokens import new_token, token_digest
from ecoute.listening.actions import import_survey
from ecoute.listening.answering import answerable_invitations, find_invitation, record_invitation_answer
from ecoute.listening.flow import AnswerValue
from ecoute.listening.models import Answer, Invitation, InvitationLink, InvitationStatus, Response, Survey
from ecoute.listening.survey_files import export_survey
from ecoute.listening.survey_questions import forget_all
from tests.factories import CustomerFactory, SurveyFactory
from tests.listening.links import invitation_with_token, nps_survey, question

pytestmark = pytest.mark.django_db

# Transaction control is not work: BEGIN/COMMIT, and the savepoints a test's own transaction adds.
CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")


def _statements(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if not q["sql"].upper().startswith(CONTROL)]


def test_a_first_and_last_answer_makes_two_to_six_statements_and_no_session(org: Organization) -> None:
    # Given a one-question survey whose questions this process has read once already
    survey = SurveyFactory.create(organization=org, status="active")
    question(survey, "recommend", "nps", "Recommanderiez-vous la Maison ?", "Would you recommend us?")
    invitation, token = invitation_with_token(
        survey=survey, customer=CustomerFactory.create(organization=org)
    )
    forget_all()
    Client().get(f"/s/{token}")

    # When the customer answers
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        page = client.post(f"/s/{token}", {"question": "recommend", "score": "9"})

    # Then: the invitation found, the response claimed, the answer written, the answers read, the
    # response and the invitation completed — on PostgreSQL, where the lookup found no response, one
    # statement that commits on its own does all the writing, without BEGIN nor COMMIT — and no
    # session written nor cookie set for the answerer
    assert page.status_code == 200
    assert "Merci" in page.content.decode()
    expected = 2 if connection.vendor == "postgresql" else 6
    assert len(_statements(queries)) == expected, _statements(queries)
    if connection.vendor == "postgresql":
        assert len(queries.captured_queries) == expected, queries.captured_queries
    assert "sessionid" not in page.cookies
    assert not Session.objects.exists()
    response = Response.objects.get(invitation=invitation)
    assert (response.nps_level, response.answers.get().number) == ("promoter", 9)
    invitation.refresh_from_db()
    assert invitation.status == "completed"


def test_the_questions_are_read_once_per_process_until_the_survey_changes(org: Organization) -> None:
    # Given a survey whose page was shown once
    survey = nps_survey(org)
    _invitation, token = invitation_with_token(
        survey=survey, customer=CustomerFactory.create(organization=org)
    )
    forget_all()
    Client().get(f"/s/{token}")

    # When the page is shown again, then after the survey's version changed
    with CaptureQueriesContext(connection) as again:
        Client().get(f"/s/{token}")
    Survey.objects.filter(pk=survey.pk).update(questions_version=uuid.uuid4())
    with CaptureQueriesContext(connection) as changed:
        Client().get(f"/s/{token}")

    # Then the questions are read only when the version changed
    assert not [sql for sql in _statements(again) if "listening_question" in sql]
    assert [sql for sql in _statements(changed) if "listening_question" in sql]


def test_a_question_edited_on_the_builder_is_asked_as_edited_at_once(org: Organization) -> None:
    # Given an invitation whose first question this process has shown
    survey = nps_survey(org)
    _invitation, token = invitation_with_token(
        survey=survey, customer=CustomerFactory.create(organization=org)
    )
    assert "Recommanderiez-vous la Maison" in Client().get(f"/s/{token}").content.decode()

    # When the survey's file is imported again with the question reworded
    document = export_survey(survey)
    document["questions"][0]["text"]["fr"] = "Nous recommanderiez-vous à un ami ?"
    import_survey(org, document)

    # Then the next page asks the new wording
    assert "Nous recommanderiez-vous à un ami" in Client().get(f"/s/{token}").content.decode()


def test_a_question_added_saved_or_deleted_anywhere_renews_the_version(org: Organization) -> None:
    # Given a survey and its version
    survey = nps_survey(org)
    versions = [Survey.objects.get(pk=survey.pk).questions_version]

    # When a question is added, changed through the model (as the admin does), then deleted
    added = question(survey, "store", "csat", "Le magasin ?", "The store?")
    versions.append(Survey.objects.get(pk=survey.pk).questions_version)
    added.text_fr = "Notre magasin ?"
    added.save()
    versions.append(Survey.objects.get(pk=survey.pk).questions_version)
    added.delete()
    versions.append(Survey.objects.get(pk=survey.pk).questions_version)

    # Then each change gave the survey a new version
    assert len(set(versions)) == 4


def _states(org: Organization) -> dict[str, tuple[Invitation, str]]:
    """Invitations in every state a link can be in, each with its token."""
    survey = nps_survey(org)
    closed = nps_survey(org)
    Survey.objects.filter(pk=closed.pk).update(status="closed")
    states: dict[str, tuple[Invitation, str]] = {}
    for status in InvitationStatus.values:
        states[status] = invitation_with_token(survey=survey, status=status)
    states["expired"] = invitation_with_token(survey=survey, expires_at=timezone.now() - timedelta(hours=1))
    states["expires later"] = invitation_with_token(
        survey=survey, expires_at=timezone.now() + timedelta(days=1)
    )
    states["survey closed"] = invitation_with_token(survey=closed, status="sent")
    states["answered"] = invitation_with_token(survey=survey, status="started")
    Response.objects.create(
        organization=org, survey=survey, invitation=states["answered"][0], channel="email",
        completed_at=timezone.now(),
    )  # fmt: skip
    states["half answered"] = invitation_with_token(survey=survey, status="started")
    Response.objects.create(
        organization=org, survey=survey, invitation=states["half answered"][0], channel="email"
    )
    reminded, _first_token = invitation_with_token(survey=survey, status="sent")
    second_token = new_token()
    InvitationLink.objects.create(invitation=reminded, token_hash=token_digest(second_token))
    states["reminder's link"] = (reminded, second_token)
    return states


def test_a_link_opens_exactly_when_its_invitation_is_answerable(org: Organization) -> None:
    # Given invitations in every state, reached by the first e-mail's token or a reminder's
    states = _states(org)

    # When each token is looked up
    found = {name: find_invitation(token) for name, (_invitation, token) in states.items()}

    # Then the lookup opens exactly the invitations answerable_invitations() holds open, with their
    # survey, customer, organization and response
    answerable = set(answerable_invitations().values_list("pk", flat=True))
    assert {name for name, invitation in found.items() if invitation is not None} == {
        name for name, (invitation, _token) in states.items() if invitation.pk in answerable
    }
    assert {name for name, invitation in found.items() if invitation is not None} >= {
        "sent", "opened", "expires later", "half answered", "reminder's link",
    }  # fmt: skip
    half = found["half answered"]
    assert half is not None
    assert (half.survey.pk, half.customer.pk, half.organization.pk) == (
        states["half answered"][0].survey_id,
        states["half answered"][0].customer_id,
        org.pk,
    )
    assert half.response.completed_at is None
    assert not hasattr(found["sent"], "response")
    assert find_invitation("x" * 43) is None


def test_a_first_answer_whose_response_another_request_started_meanwhile_joins_it(
    org: Organization,
) -> None:
    # Given an invitation found without a response, whose response another request then started
    survey = SurveyFactory.create(organization=org, status="active")
    question(survey, "recommend", "nps", "Recommanderiez-vous la Maison ?", "Would you recommend us?")
    question(survey, "store", "csat", "Le magasin ?", "The store?")
    invitation, token = invitation_with_token(
        survey=survey, customer=CustomerFactory.create(organization=org)
    )
    found = find_invitation(token)
    assert found is not None
    assert not hasattr(found, "response")
    other = Response.objects.create(
        organization=org, survey=survey, invitation=invitation, customer=invitation.customer, channel="email"
    )
    Answer.objects.create(response=other, question=survey.questions.get(code="store"), number=4)

    # When this request records its answer to the first question
    recorded = record_invitation_answer(
        found, survey.questions.get(code="recommend"), AnswerValue(number=2), language="fr"
    )

    # Then the answer joins the other request's response, which it completes: one response, two answers
    assert Response.objects.filter(invitation=invitation).get().pk == other.pk == recorded.response.pk
    assert recorded.completed
    other.refresh_from_db()
    assert (other.nps_level, other.answers.count()) == ("detractor", 2)
    assert Invitation.objects.get(pk=invitation.pk).status == "completed"


def test_a_first_answer_whose_response_another_request_completed_meanwhile_changes_nothing(
    org: Organization,
) -> None:
    # Given an invitation found without a response, whose response another request then completed
    survey = SurveyFactory.create(organization=org, status="active")
    recommend = question(survey, "recommend", "nps", "Recommanderiez-vous la Maison ?", "Recommend us?")
    invitation, token = invitation_with_token(
        survey=survey, customer=CustomerFactory.create(organization=org)
    )
    found = find_invitation(token)
    assert found is not None
    other = Response.objects.create(
        organization=org, survey=survey, invitation=invitation, channel="email",
        completed_at=timezone.now(), nps_level="promoter",
    )  # fmt: skip
    Answer.objects.create(response=other, question=recommend, number=10)

    # When this request records its own score
    recorded = record_invitation_answer(found, recommend, AnswerValue(number=0), language="fr")

    # Then it is told the response was completed, and the stored answer is the other request's
    assert recorded.completed
    assert recorded.response.pk == other.pk
    assert list(Answer.objects.filter(response__invitation=invitation).values_list("number", flat=True)) == [
        10
    ]
    assert Response.objects.get(pk=other.pk).nps_level == "promoter"
