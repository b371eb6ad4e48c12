"""The survey pages: the list, a new survey (blank or from a template), import and export as JSON."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import Membership, Organization, Role
from ecoute.listening.actions import ensure_listening_defaults
from ecoute.listening.models import Survey
from ecoute.listening.survey_files import MAX_FILE_BYTES, export_survey
from ecoute.listening.survey_views import optional_url
from tests.conftest import member_client
from tests.factories import AnswerFactory, MembershipFactory, QuestionFactory, ResponseFactory, SurveyFactory


@pytest.fixture
def analyst(org: Organization) -> Client:
    ensure_listening_defaults(org)
    return member_client(MembershipFactory.create(organization=org, role=Role.ANALYST))


@pytest.fixture
def viewer(org: Organization) -> Client:
    return member_client(MembershipFactory.create(organization=org, role=Role.VIEWER))


@pytest.mark.django_db
def test_the_list_shows_each_surveys_kind_status_questions_and_responses(
    owner_client: Client, org: Organization, other_org: Organization
) -> None:
    # Given a survey of two questions with one response, and another organization's survey
    survey = SurveyFactory.create(organization=org, name="Baromètre <b>annuel</b>", status="active")
    question = QuestionFactory.create(survey=survey)
    QuestionFactory.create(survey=survey, type="text")
    AnswerFactory.create(response=ResponseFactory.create(survey=survey), question=question)
    SurveyFactory.create(organization=other_org, name="Leur enquête")
    # When the owner opens the list, in French
    page = owner_client.get(reverse("listening:survey_list"), HTTP_ACCEPT_LANGUAGE="fr")
    # Then their survey shows, escaped, with its figures, and the other organization's does not
    body = page.content.decode()
    assert page.status_code == 200
    assert "Baromètre &lt;b&gt;annuel&lt;/b&gt;" in body
    assert "Leur enquête" not in body
    assert "Enquêtes" in body
    assert "Nouvelle enquête" in body
    assert '<td class="num">2</td>' in body
    assert '<td class="num">1</td>' in body
    assert f'href="{reverse("listening:survey_list")}"' in body


@pytest.mark.django_db
def test_a_viewer_sees_surveys_but_cannot_create_edit_or_import(viewer: Client, org: Organization) -> None:
    # Given a viewer and a survey
    survey = SurveyFactory.create(organization=org)
    question = QuestionFactory.create(survey=survey)
    # When they open the list and the survey, then they see them without any button to change them
    listed = viewer.get(reverse("listening:survey_list")).content.decode()
    assert reverse("listening:survey_new") not in listed
    detail = viewer.get(reverse("listening:survey_detail", args=[survey.pk]))
    assert detail.status_code == 200
    assert reverse("listening:survey_settings", args=[survey.pk]) not in detail.content.decode()
    # And every page that changes a survey refuses them
    for url, method in [
        (reverse("listening:survey_new"), "get"),
        (reverse("listening:survey_import"), "post"),
        (reverse("listening:survey_settings", args=[survey.pk]), "get"),
        (reverse("listening:question_new", args=[survey.pk]), "get"),
        (reverse("listening:question_edit", args=[survey.pk, question.pk]), "post"),
        (reverse("listening:question_move", args=[survey.pk, question.pk]), "post"),
        (reverse("listening:question_delete", args=[survey.pk, question.pk]), "post"),
    ]:
        assert getattr(viewer, method)(url).status_code == 403, url
    # But they may export it
    assert viewer.get(reverse("listening:survey_export", args=[survey.pk])).status_code == 200


@pytest.mark.django_db
def test_an_analyst_creates_a_survey_from_a_template(analyst: Client, org: Organization) -> None:
    # When an analyst creates a survey from the relationship NPS template
    response = analyst.post(reverse("listening:survey_new"), {"name": "", "template": "relationship-nps"})
    # Then it is a draft with the template's name and questions, and they are on its page
    survey = Survey.objects.get(organization=org)
    assert response.status_code == 302
    assert response["Location"] == reverse("listening:survey_detail", args=[survey.pk])
    assert (survey.slug, survey.status) == ("relationship-nps", "draft")
    assert survey.name.startswith("Baromètre de recommandation")
    assert [q.code for q in survey.questions.all()][:2] == ["recommend", "went_wrong"]
    # And a second one from the same template gets a slug of its own instead of replacing the first
    analyst.post(reverse("listening:survey_new"), {"name": "", "template": "relationship-nps"})
    assert sorted(Survey.objects.values_list("slug", flat=True)) == ["relationship-nps", "relationship-nps-2"]


@pytest.mark.django_db
def test_a_survey_from_scratch_starts_with_one_recommendation_question(
    analyst: Client, org: Organization
) -> None:
    response = analyst.post(reverse("listening:survey_new"), {"name": "Après la visite en magasin"})
    survey = Survey.objects.get(organization=org)
    assert response.status_code == 302
    assert (survey.name, survey.slug) == ("Après la visite en magasin", "apres-la-visite-en-magasin")
    assert [(q.code, q.type) for q in survey.questions.all()] == [("recommend", "nps")]


@pytest.mark.django_db
def test_a_survey_without_name_nor_template_is_refused_in_french(analyst: Client) -> None:
    response = analyst.post(reverse("listening:survey_new"), {"name": " "}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert "Donnez un nom à l’enquête, ou partez d’un modèle." in response.content.decode()
    assert not Survey.objects.exists()


@pytest.mark.django_db
def test_export_downloads_the_same_json_as_the_command(owner_client: Client, org: Organization) -> None:
    survey = SurveyFactory.create(organization=org, slug="apres-achat", name="Après l’achat")
    QuestionFactory.create(survey=survey, code="recommend")
    response = owner_client.get(reverse("listening:survey_export", args=[survey.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="apres-achat.json"'
    assert json.loads(response.content) == export_survey(survey)


def _upload(document: object) -> SimpleUploadedFile:
    return SimpleUploadedFile("enquete.json", json.dumps(document).encode(), "application/json")


@pytest.mark.django_db
def test_importing_a_file_creates_the_survey_then_updates_it(analyst: Client, org: Organization) -> None:
    # Given an exported survey, as a file
    survey = SurveyFactory.create(organization=org, slug="apres-achat", name="Après l’achat")
    QuestionFactory.create(survey=survey, code="recommend")
    document = export_survey(survey)
    survey.delete()
    # When an analyst imports it, then it is created
    response = analyst.post(reverse("listening:survey_import"), {"file": _upload(document)})
    created = Survey.objects.get(organization=org, slug="apres-achat")
    assert response.status_code == 302
    # And importing it again with another name updates the same survey
    analyst.post(reverse("listening:survey_import"), {"file": _upload({**document, "name": "Après achat"})})
    created.refresh_from_db()
    assert created.name == "Après achat"
    assert Survey.objects.filter(organization=org).count() == 1


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "/questions/0/type: doit être l’une des valeurs\u00a0: nps"),
        ("en", "/questions/0/type: must be one of: nps"),
    ],
)
@pytest.mark.django_db
def test_a_bad_file_is_refused_naming_the_path_in_the_readers_language(
    analyst: Client, org: Organization, language: str, expected: str
) -> None:
    # Given a file whose question has a type that does not exist
    document = {
        "format": "ecoute-survey/1",
        "slug": "bad",
        "name": "Mauvaise",
        "questions": [{"code": "q", "type": "stars", "text": {"fr": "Note ?"}}],
    }
    # When it is imported, then nothing is created and the message names the path
    response = analyst.post(
        reverse("listening:survey_import"), {"file": _upload(document)}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert not Survey.objects.filter(slug="bad").exists()


@pytest.mark.django_db
def test_a_file_that_is_not_json_is_refused_with_its_line(analyst: Client) -> None:
    upload = SimpleUploadedFile("enquete.json", b'{"format": ', "application/json")
    response = analyst.post(reverse("listening:survey_import"), {"file": upload}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "not valid JSON: line 1" in response.content.decode()


@pytest.mark.django_db
def test_the_survey_page_links_the_other_sections_only_when_they_exist(
    owner: Membership, org: Organization
) -> None:
    # Given a survey, and the sections other pages add (results, waves, public links) as they exist
    survey = SurveyFactory.create(organization=org)
    QuestionFactory.create(survey=survey)
    names = ["listening:survey_results", "listening:survey_plan", "listening:survey_links"]
    # When its page is opened in English
    page = member_client(owner).get(
        reverse("listening:survey_detail", args=[survey.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    # Then each section is named, linked when its page exists, and the page does not break when it does not
    body = page.content.decode()
    assert page.status_code == 200
    for label in ("Results", "Invitations / plan a wave", "Public links"):
        assert label in body
    for name in names:
        url = optional_url(name, survey.pk)
        assert url is None or f'href="{url}"' in body
    assert optional_url("listening:no_such_page", survey.pk) is None
    assert reverse("listening:survey_export", args=[survey.pk]) in body


@pytest.mark.django_db
def test_a_file_too_large_is_refused_before_it_is_read(analyst: Client) -> None:
    upload = SimpleUploadedFile("enquete.json", b" " * (MAX_FILE_BYTES + 1), "application/json")
    response = analyst.post(reverse("listening:survey_import"), {"file": upload}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert "Le fichier est trop volumineux" in response.content.decode()
    assert not Survey.objects.exists()
