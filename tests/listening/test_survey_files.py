"""Surveys as files: the shipped templates import, export reads back, bad files name the bad value."""

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from ecoute.accounts.actions import create_organization
from ecoute.accounts.models import Organization
from ecoute.listening.actions import ensure_listening_defaults, import_survey
from ecoute.listening.models import Question, Survey
from ecoute.listening.survey_files import SurveyFileError, export_survey
from tests.factories import AnswerFactory, CustomerFactory, ResponseFactory

TEMPLATES = Path(__file__).resolve().parents[2] / "ecoute" / "listening" / "data" / "templates"


def template(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((TEMPLATES / name).read_text(encoding="utf-8"))
    return document


def problems_of(org: Organization, document: object, language: str = "fr") -> list[str]:
    with translation.override(language), pytest.raises(SurveyFileError) as refused:
        import_survey(org, document)
    # French puts a no-break space before “:” and inside « »; compared here as plain spaces
    return [str(problem).replace("\xa0", " ") for problem in refused.value.problems]


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(path.name for path in TEMPLATES.glob("*.json")))
def test_each_shipped_template_imports_and_exports_back_the_same(name: str) -> None:
    # given a new organization (with its default criteria) and a shipped template
    org = create_organization("modeles", "Modèles")
    document = template(name)
    # when it is imported
    survey, created = import_survey(org, document)
    # then the survey and its questions exist, as a draft
    assert created
    assert survey.status == "draft"
    assert [q.code for q in survey.questions.all()] == [q["code"] for q in document["questions"]]
    # and its export, imported into another organization, exports the same again
    exported = export_survey(survey)
    other = create_organization("copie", "Copie")
    again, _created = import_survey(other, exported)
    assert export_survey(again) == exported


def test_there_are_the_five_shipped_templates() -> None:
    slugs = {template(path.name)["slug"] for path in TEMPLATES.glob("*.json")}
    assert slugs == {
        "relationship-nps",
        "after-purchase",
        "after-support",
        "importance-satisfaction",
        "why-did-you-leave",
    }


@pytest.mark.django_db
def test_importing_again_updates_the_survey_by_its_slug(org: Organization) -> None:
    # given the relationship NPS imported
    ensure_listening_defaults(org)
    document = template("relationship-nps.json")
    survey, _created = import_survey(org, document)
    first_question = survey.questions.get(code="recommend").pk
    # when the file comes back renamed, a question removed and the others reordered
    changed = copy.deepcopy(document)
    changed["name"] = "NPS annuel"
    changed["questions"] = [changed["questions"][0], changed["questions"][3], changed["questions"][1]]
    again, created = import_survey(org, changed)
    # then the same survey is updated: same question rows, new order, the removed one gone
    assert not created
    assert again.pk == survey.pk
    assert again.name == "NPS annuel"
    assert list(again.questions.values_list("code", flat=True)) == ["recommend", "liked_most", "went_wrong"]
    assert again.questions.get(code="recommend").pk == first_question
    assert Survey.objects.for_org(org).count() == 1


@pytest.mark.django_db
def test_a_question_with_answers_is_never_removed_and_nothing_changes(org: Organization) -> None:
    # given a survey whose "went_wrong" question has an answer
    ensure_listening_defaults(org)
    survey, _created = import_survey(org, template("relationship-nps.json"))
    response = ResponseFactory.create(survey=survey)
    AnswerFactory.create(response=response, question=survey.questions.get(code="went_wrong"), number=None)
    # when a file without it, and with another name, is imported
    changed = template("relationship-nps.json")
    changed["name"] = "Autre nom"
    changed["questions"] = [q for q in changed["questions"] if q["code"] != "went_wrong"]
    problems = problems_of(org, changed)
    # then it is refused, naming the question, and the survey is unchanged
    assert problems == ["/questions: « went_wrong » a des réponses : gardez-la dans le fichier."]
    survey.refresh_from_db()
    assert survey.name != "Autre nom"
    assert survey.questions.filter(code="went_wrong").exists()


@pytest.mark.django_db
def test_an_option_that_answers_chose_is_never_removed(org: Organization) -> None:
    # given a survey where one answer chose "price" among the reasons for leaving
    ensure_listening_defaults(org)
    survey, _created = import_survey(org, template("why-did-you-leave.json"))
    response = ResponseFactory.create(survey=survey)
    AnswerFactory.create(response=response, question=survey.questions.get(code="reasons"), choices=["price"])
    # when a file without the "price" option, and without the unchosen "competitor", is imported
    changed = template("why-did-you-leave.json")
    reasons = next(q for q in changed["questions"] if q["code"] == "reasons")
    index = changed["questions"].index(reasons)
    reasons["options"] = [o for o in reasons["options"] if o["value"] not in {"price", "competitor"}]
    problems = problems_of(org, changed)
    # then it is refused for the chosen option only, naming the question and the option
    assert problems == [
        f"/questions/{index}/options: « reasons » : l’option « price » a des réponses : gardez-la."
    ]
    assert "price" in [o["value"] for o in survey.questions.get(code="reasons").options]
    # and without "competitor" alone the file is taken
    reasons["options"].insert(0, {"value": "price", "fr": "Le prix", "en": "Price"})
    import_survey(org, changed)
    assert "competitor" not in [o["value"] for o in survey.questions.get(code="reasons").options]


@pytest.mark.django_db
def test_schema_errors_name_the_json_path_in_french_and_english(org: Organization) -> None:
    document = template("after-support.json")
    document["questions"][1]["type"] = "stars"
    document["questions"][2]["color"] = "red"
    del document["name"]
    document["cooldown_days"] = -3
    assert problems_of(org, document, "fr") == [
        "/: « name » est manquant.",
        "/cooldown_days: doit valoir au moins 0.",
        (
            "/questions/1/type: doit être l’une des valeurs : nps, csat, ces, rating, "
            "importance_satisfaction, choice, multi, text, yes_no."
        ),
        "/questions/2: « color » n’est pas un champ attendu ici.",
    ]
    assert problems_of(org, document, "en")[1] == "/cooldown_days: must be at least 0."


@pytest.mark.django_db
def test_a_choice_without_options_and_a_bad_code_are_refused(org: Organization) -> None:
    document = template("why-did-you-leave.json")
    del document["questions"][0]["options"]
    document["questions"][1]["code"] = "Quoi ?"
    assert problems_of(org, document, "en") == [
        "/questions/0: “options” is missing.",
        "/questions/1/code: must be lower-case letters, digits, - or _ (for example “after_purchase”).",
    ]


@pytest.mark.django_db
def test_codes_fields_and_placeholders_that_do_not_exist_are_refused_when_saved(org: Organization) -> None:
    # given a survey naming a missing criterion, CRM field and placeholder, and a later question
    ensure_listening_defaults(org)
    document = template("after-purchase-csat.json")
    document["questions"][3]["criterion"] = "parking"
    document["questions"][1]["known_from"] = "loyalty_tier"
    document["questions"][2]["show_if"] = {"question": "product_quality", "min": 1, "max": 3}
    document["email"]["body"]["fr"] = "Bonjour {prenom|}, votre visite à {store} …"
    document["questions"][0]["text"]["en"] = ""
    # when it is imported / then each problem names its path, and nothing is written
    with translation.override("en"):
        problems = problems_of(org, document, "en")
    assert problems[:4] == [
        "/questions/0/text: the text in “en”, a language of the survey, is missing.",
        "/questions/1/known_from: “loyalty_tier” is no customer field or CRM field.",
        "/questions/2/show_if/question: “product_quality” is not an earlier question of this survey.",
        "/questions/3/criterion: no criterion has the code “parking” (see the criteria page).",
    ]
    assert problems[4].startswith("/email/body/fr: {prenom} names no customer field or CRM field")
    assert problems[5].startswith("/email/body/fr: {store} names no customer field or CRM field")
    assert not Survey.objects.for_org(org).exists()
    assert not Question.objects.exists()


@pytest.mark.django_db
def test_a_crm_field_of_the_customers_may_be_used_and_asked_once(org: Organization) -> None:
    # given customers whose CRM file has their store
    ensure_listening_defaults(org)
    CustomerFactory.create(organization=org, attributes={"store": "Lyon"})
    document = template("after-purchase-csat.json")
    document["email"]["body"]["fr"] = "Bonjour {first_name|}, votre visite à {store|notre magasin} …"
    document["questions"][1]["known_from"] = "store"
    # when the survey is imported / then it is accepted
    survey, _created = import_survey(org, document)
    assert survey.questions.get(code="effort").known_from == "store"


@pytest.mark.django_db
def test_show_if_bounds_must_fit_the_earlier_questions_scale(org: Organization) -> None:
    ensure_listening_defaults(org)
    document = template("after-purchase-csat.json")
    document["questions"][2]["show_if"] = {"question": "satisfaction", "min": 4, "max": 9}
    assert problems_of(org, document, "en") == [
        "/questions/2/show_if/max: must be between 1 and 5, the scale of “satisfaction”."
    ]


@pytest.mark.django_db
def test_a_file_that_is_not_json_or_not_an_object_is_refused_clearly(org: Organization) -> None:
    with translation.override("en"):
        from ecoute.listening.survey_files import parse_json

        with pytest.raises(SurveyFileError) as refused:
            parse_json('{"slug": "x",')
    assert str(refused.value.problems[0]).startswith("/: not valid JSON: line 1, column 14")
    assert problems_of(org, ["not", "an", "object"], "en") == ["/: must be of type object."]


@pytest.mark.django_db
def test_a_file_whose_audience_planning_could_not_read_is_refused(org: Organization) -> None:
    # given the relationship NPS template with a misspelt segment key and a trigger on a relationship survey
    misspelt = template("relationship-nps.json") | {"audience": {"segment": {"regoin": "Bretagne"}}}
    triggered = template("relationship-nps.json") | {"audience": {"trigger": {"event": "transaction"}}}
    # then each is refused, naming the key
    assert any("audience.segment.regoin : clé inconnue" in p for p in problems_of(org, misspelt))
    assert any("seule une enquête transactionnelle" in p for p in problems_of(org, triggered))
