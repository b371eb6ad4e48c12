"""`ecoute survey invite`: plans the wave and queues its e-mails; the dry run predicts it exactly."""

import json
import re
from datetime import UTC, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from ecoute.accounts.models import Organization
from ecoute.listening.models import Invitation, Survey
from ecoute.messaging.models import Message
from tests.factories import SurveyFactory
from tests.listening.planning_helpers import every_situation, policy

NOW = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Paris


def survey_invite(*args: str) -> str:
    out = StringIO()
    call_command("survey", "invite", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def survey(org: Organization) -> Survey:
    policy(org)
    survey = SurveyFactory.create(organization=org, slug="nps-2026", status="active", cooldown_days=90)
    every_situation(org, survey, NOW)
    return survey


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_dry_run_predicts_the_real_run_exactly(survey: Survey) -> None:
    # when the dry run is asked, then the real run
    before = Invitation.objects.count()
    predicted = json.loads(survey_invite("nps-2026", "--org", "maison", "--dry-run", "--json"))
    written_by_dry_run = Invitation.objects.count() - before
    done = json.loads(survey_invite("nps-2026", "--org", "maison", "--json"))
    # then the dry run wrote nothing and said exactly what the real run did
    assert written_by_dry_run == 0
    assert (predicted["planned"], predicted["skipped"], predicted["send_at"]) == (
        done["planned"],
        done["skipped"],
        done["send_at"],
    )
    assert done["planned"] == 1
    assert done["skipped"] == dict.fromkeys(
        ("bounced", "consent", "cooldown", "do_not_contact", "gap", "no_address", "pressure"), 1
    )
    assert predicted["samples"]["consent"] == ["NO_CONSENT"]


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_real_run_queues_one_email_per_invited_customer_with_their_link(survey: Survey) -> None:
    # when the survey invites
    survey_invite("nps-2026", "--org", "maison")
    # then the invited customer has one soliciting message, whose link is made only when it is sent:
    # the stored message holds its place, never a token
    invitation = Invitation.objects.get(survey=survey, status="queued")
    message = Message.objects.get(subject_ref=f"invitation:{invitation.pk}")
    assert "{survey_url}" in message.text_body
    assert re.search(r"/s/[\w-]+", message.text_body + message.html_body) is None
    assert (invitation.status, message.solicits, message.to_address) == ("queued", True, "invited@example.fr")
    assert (message.consent_channel, message.consent_purpose) == ("email", "surveys")
    # and inviting again the same day adds neither an invitation nor a message
    again = json.loads(survey_invite("nps-2026", "--org", "maison", "--json"))
    assert (again["planned"], again["skipped"]) == (0, {})
    assert Message.objects.filter(purpose="survey_invitation").count() == 1


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_summary_speaks_french_with_the_reasons(survey: Survey) -> None:
    text = survey_invite("nps-2026", "--org", "maison", "--dry-run")
    assert "Essai à blanc\xa0: rien n’a été écrit." in text
    assert "1 client invité, 7 écartés" in text
    assert "pas de consentement\N{NO-BREAK SPACE}: 1 (par exemple NO_CONSENT)" in text


@pytest.mark.django_db
def test_a_draft_survey_does_not_invite(org: Organization) -> None:
    SurveyFactory.create(organization=org, slug="brouillon", status="draft")
    with pytest.raises(CommandError, match="n’est pas active"):
        survey_invite("brouillon", "--org", "maison")
    assert Invitation.objects.count() == 0


@pytest.mark.django_db
def test_a_bad_audience_is_named_and_nothing_is_written(org: Organization) -> None:
    SurveyFactory.create(organization=org, slug="bad", status="active", audience={"segment": {"regoin": "x"}})
    with pytest.raises(CommandError, match=r"audience\.segment\.regoin\xa0: clé inconnue"):
        survey_invite("bad", "--org", "maison")
    assert Invitation.objects.count() == 0


@pytest.mark.django_db
def test_another_organizations_survey_is_not_found(org: Organization, other_org: Organization) -> None:
    SurveyFactory.create(organization=other_org, slug="theirs", status="active")
    with pytest.raises(CommandError, match=r"Aucune enquête «.theirs.»"):
        survey_invite("theirs", "--org", "maison")
