"""`ecoute survey export` and `ecoute survey import`: a survey to a file and back, refusals explained."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ecoute.accounts.models import Organization
from ecoute.listening.actions import ensure_listening_defaults
from ecoute.listening.models import Survey
from tests.listening.test_survey_files import TEMPLATES


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("survey", *args, stdout=out, stderr=err)
    # French puts a no-break space before “:” and inside « »; compared here as plain spaces
    return out.getvalue().replace("\xa0", " "), err.getvalue().replace("\xa0", " ")


@pytest.mark.django_db
def test_a_survey_goes_to_a_file_and_back_into_another_organization(
    tmp_path: Path, org: Organization, other_org: Organization
) -> None:
    # given a survey imported from a shipped template
    ensure_listening_defaults(org)
    ensure_listening_defaults(other_org)
    out, _err = run("import", str(TEMPLATES / "after-support.json"), "--org", org.slug)
    assert "Enquête « after-support » créée avec 5 questions." in out
    # when it is exported to a file, then imported into another organization
    target = tmp_path / "support.json"
    _out, err = run("export", "after-support", "--org", org.slug, "--output", str(target))
    assert "écrite dans" in err
    out, _err = run("import", str(target), "--org", other_org.slug, "--language", "en")
    # then the other organization has the same survey
    assert "Survey “after-support” created with 5 questions." in out
    theirs = Survey.objects.get(organization=other_org, slug="after-support")
    assert theirs.questions.count() == 5
    # and importing the same file again updates it
    out, _err = run("import", str(target), "--org", other_org.slug)
    assert "mise à jour : 5 questions" in out
    assert Survey.objects.filter(organization=other_org).count() == 1


@pytest.mark.django_db
def test_export_writes_json_to_the_standard_output(org: Organization) -> None:
    ensure_listening_defaults(org)
    run("import", str(TEMPLATES / "relationship-nps.json"), "--org", org.slug)
    out, _err = run("export", "relationship-nps", "--org", org.slug)
    document = json.loads(out)
    assert document["format"] == "ecoute-survey/1"
    assert document["questions"][0]["code"] == "recommend"


@pytest.mark.django_db
def test_a_bad_file_is_refused_with_each_problem_and_its_path(tmp_path: Path, org: Organization) -> None:
    # given a file with a misspelt question type
    document = json.loads((TEMPLATES / "after-support.json").read_text(encoding="utf-8"))
    document["questions"][0]["type"] = "oui_non"
    path = tmp_path / "faux.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    err = StringIO()
    # when it is imported / then the command fails, naming the path, and writes nothing
    with pytest.raises(CommandError, match=r"n’a pas été importé\s:\srien n’a été modifié"):
        call_command("survey", "import", str(path), "--org", org.slug, stderr=err)
    assert f"{path}: /questions/0/type: doit être l’une des valeurs" in err.getvalue().replace("\xa0", " ")
    assert not Survey.objects.for_org(org).exists()


@pytest.mark.django_db
def test_unreadable_files_unknown_surveys_and_organizations_are_refused_clearly(
    tmp_path: Path, org: Organization
) -> None:
    with pytest.raises(CommandError, match="Impossible de lire"):
        run("import", str(tmp_path / "absent.json"), "--org", org.slug)
    binary = tmp_path / "image.json"
    binary.write_bytes(b"\xff\xfe\x00\x89PNG")
    with pytest.raises(CommandError, match="Impossible de lire"):
        run("import", str(binary), "--org", org.slug)
    broken = tmp_path / "cut.json"
    broken.write_text('{"format": "ecoute-survey/1", "slug": ', encoding="utf-8")
    with pytest.raises(CommandError):
        run("import", str(broken), "--org", org.slug)
    with pytest.raises(CommandError, match=r"Aucune enquête «\sabsente\s»"):
        run("export", "absente", "--org", org.slug)
    with pytest.raises(CommandError, match="Aucune organisation"):
        run("export", "x", "--org", "nowhere")
