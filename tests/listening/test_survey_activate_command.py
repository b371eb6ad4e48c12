"""`ecoute survey activate`: what the page's button does, from the command line — the audience checked
first, the active surveys it overlaps named with the size of the overlap."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ecoute.accounts.models import Organization
from ecoute.listening.models import Survey
from tests.factories import CustomerFactory, SurveyFactory


def survey_activate(*args: str) -> str:
    out = StringIO()
    call_command("survey", "activate", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_activating_a_draft_names_the_active_surveys_asking_the_same_customers(org: Organization) -> None:
    # Given three customers in Normandie, an active survey of the region and a draft of everyone
    for _ in range(3):
        CustomerFactory.create(organization=org, region="Normandie")
    SurveyFactory.create(
        organization=org,
        name="Baromètre Normandie",
        status="active",
        audience={"segment": {"region": ["Normandie"]}},
    )
    draft = SurveyFactory.create(
        organization=org, slug="relation-2026", status="draft", audience={"segment": {}}
    )
    # When it is activated on the command line
    out = survey_activate("relation-2026", "--org", org.slug)
    # Then it is active, and the overlap is named with its size, in the organization's language
    draft.refresh_from_db()
    assert draft.status == "active"
    assert f"L’enquête « {draft.name} » est active." in out.replace("\N{NO-BREAK SPACE}", " ")
    assert "3 clients sont aussi dans l’audience de l’enquête active « Baromètre Normandie »." in out.replace(
        "\N{NO-BREAK SPACE}", " "
    )


@pytest.mark.django_db
def test_a_survey_whose_audience_does_not_read_stays_a_draft_with_the_reason(org: Organization) -> None:
    # Given a draft whose audience names a key that does not exist
    draft = SurveyFactory.create(
        organization=org, slug="typo", status="draft", audience={"segment": {"regoin": []}}
    )
    # When it is activated
    with pytest.raises(CommandError) as refused:
        survey_activate("typo", "--org", org.slug)
    # Then it stays a draft, and the bad key is named
    assert "regoin" in str(refused.value)
    assert Survey.objects.get(pk=draft.pk).status == "draft"


@pytest.mark.django_db
def test_another_organizations_survey_is_not_found(org: Organization) -> None:
    # Given a survey of another organization
    other = SurveyFactory.create(slug="theirs", status="draft")
    # When it is activated under this organization
    with pytest.raises(CommandError, match="theirs"):
        survey_activate("theirs", "--org", org.slug)
    # Then it is untouched
    assert Survey.objects.get(pk=other.pk).status == "draft"
