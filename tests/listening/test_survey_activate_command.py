"""`ecoute survey activate`: the README's command-line path (import, activate, invite) works without the
web pages, and says which active surveys ask some of the same customers."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ecoute.accounts.models import Organization
from ecoute.listening.actions import ensure_listening_defaults
from ecoute.listening.models import Survey
from tests.factories import CustomerFactory, SurveyFactory

TEMPLATE = Path(__file__).resolve().parents[2] / "ecoute/listening/data/templates/relationship-nps.json"


def survey_command(*args: str) -> str:
    out = StringIO()
    call_command("survey", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_survey_imported_from_its_file_is_activated_then_invited_from_the_command_line(
    org: Organization,
) -> None:
    # Given the README's template imported (a draft), customers, and another active survey asking them all
    ensure_listening_defaults(org)
    CustomerFactory.create_batch(3, organization=org)
    SurveyFactory.create(organization=org, slug="apres-achat", name="Après achat", status="active")
    survey_command("import", str(TEMPLATE), "--org", org.slug)
    # When it is activated from the command line
    said = survey_command("activate", "relationship-nps", "--org", org.slug)
    # Then it is active, the overlap with the other survey is named with its size, and it can be invited
    assert Survey.objects.get(slug="relationship-nps").status == "active"
    assert "Après achat" in said
    assert "3 clients dans les deux" in said
    survey_command("invite", "relationship-nps", "--org", org.slug)


@pytest.mark.django_db
def test_a_survey_whose_audience_cannot_be_read_stays_a_draft(org: Organization) -> None:
    # Given a draft whose audience has a misspelt key
    SurveyFactory.create(organization=org, slug="vague", audience={"segment": {"regoin": "Bretagne"}})
    # When it is activated, then the key is named and the survey stays a draft
    with pytest.raises(CommandError, match="regoin"):
        survey_command("activate", "vague", "--org", org.slug)
    assert Survey.objects.get(slug="vague").status == "draft"


@pytest.mark.django_db
def test_another_organizations_survey_is_not_found(org: Organization, other_org: Organization) -> None:
    SurveyFactory.create(organization=other_org, slug="ailleurs")
    with pytest.raises(CommandError, match="ailleurs"):
        survey_command("activate", "ailleurs", "--org", org.slug)
    assert Survey.objects.get(slug="ailleurs").status == "draft"
