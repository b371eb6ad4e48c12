"""Hostile survey files are refused with a message naming the bad value, never with a crash, and never
saved half-way: nesting too deep for the parser, characters no database stores, repeated option values."""

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from ecoute.accounts.models import Organization
from ecoute.listening.actions import ensure_listening_defaults, import_survey
from ecoute.listening.models import Survey
from ecoute.listening.survey_files import SurveyFileError, parse_json

TEMPLATES = Path(__file__).resolve().parents[2] / "ecoute" / "listening" / "data" / "templates"


def nps_template() -> dict[str, Any]:
    document: dict[str, Any] = json.loads((TEMPLATES / "relationship-nps.json").read_text(encoding="utf-8"))
    return document


def problems_of(org: Organization, document: object) -> list[str]:
    with translation.override("en"), pytest.raises(SurveyFileError) as refused:
        import_survey(org, document)
    return [str(problem) for problem in refused.value.problems]


@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_json_nested_deeper_than_the_parser_goes_is_refused_with_a_message(opening: str) -> None:
    # given a small file that is only brackets, nested far deeper than any survey
    text = opening * 100_000
    # when it is read
    with translation.override("en"), pytest.raises(SurveyFileError) as refused:
        parse_json(text)
    # then it is refused as a file nested too deeply, not with the parser's crash
    assert [str(problem) for problem in refused.value.problems] == ["/: nested too deeply to be a survey."]


@pytest.mark.django_db
def test_the_command_refuses_a_deeply_nested_file_without_a_traceback(
    org: Organization, tmp_path: Path
) -> None:
    # given a file of a hundred thousand nested arrays
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    # when it is imported from the command line, then the command fails with its usual message
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("survey", "import", str(path), "--org", org.slug, "--language", "en")
    assert not Survey.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("place", "bad", "path"),
    [
        ("name", "Maison\x00Lumière", "/name"),
        ("question", "Note\x00 ?", "/questions/0/text/fr"),
        ("name", "Maison \ud800", "/name"),
        ("option", "Oui\x00", "/questions/0/options/0/fr"),
        ("audience", "Bre\x00tagne", "/audience/segment/region"),
    ],
)
def test_characters_no_database_stores_are_refused_naming_the_value(
    org: Organization, place: str, bad: str, path: str
) -> None:
    # given the relationship NPS with a NUL character or a lone surrogate in one of its texts
    ensure_listening_defaults(org)
    document = nps_template()
    if place == "name":
        document["name"] = bad
    elif place == "question":
        document["questions"][0]["text"]["fr"] = bad
    elif place == "option":
        document["questions"].insert(
            0, {"code": "pick", "type": "choice", "text": {"fr": "Q", "en": "Q"},
                "options": [{"value": "a", "fr": bad}, {"value": "b", "fr": "Non"}]},
        )  # fmt: skip
    else:
        document["audience"] = {"segment": {"region": bad}}
    # when it is imported, then it is refused naming the path of the value, and nothing is saved
    assert problems_of(org, document) == [
        f"{path}: holds a character that cannot be stored (NUL or invalid)."
    ]
    assert not Survey.objects.filter(organization=org).exists()


@pytest.mark.django_db
def test_two_options_of_a_question_with_the_same_value_are_refused(org: Organization) -> None:
    # given a choice question whose two options share one value (answers could not be told apart)
    ensure_listening_defaults(org)
    document = nps_template()
    document["questions"].append(
        {"code": "channel", "type": "multi", "text": {"fr": "Par où ?", "en": "Where?"},
         "options": [{"value": "web", "fr": "Site"}, {"value": "shop", "fr": "Magasin"},
                     {"value": "web", "fr": "Appli"}]},
    )  # fmt: skip
    position = len(document["questions"]) - 1
    # when it is imported, then the repeated value is named
    assert problems_of(org, document) == [
        f"/questions/{position}/options/2/value: “web” is the value of another option."
    ]
