"""Building a survey on its pages: settings, questions added, changed, moved and deleted, refused
with the field named when survey files would refuse them, and a preview that saves nothing."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import Organization, Role
from ecoute.listening.actions import ensure_listening_defaults, import_survey
from ecoute.listening.models import Question, Survey
from ecoute.listening.survey_forms import shipped_template
from tests.conftest import member_client
from tests.factories import AnswerFactory, CustomerFactory, MembershipFactory, ResponseFactory


@pytest.fixture
def analyst(org: Organization) -> Client:
    ensure_listening_defaults(org)
    return member_client(MembershipFactory.create(organization=org, role=Role.ANALYST))


@pytest.fixture
def survey(org: Organization) -> Survey:
    """The shipped relationship NPS: recommend, went_wrong (0–6), to_get_a_ten, liked_most, main_criterion."""
    return import_survey(org, shipped_template("relationship-nps"))[0]


def settings_data(survey: Survey, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": survey.name,
        "kind": survey.kind,
        "languages": survey.languages,
        "cooldown_days": survey.cooldown_days,
        "reminder_after_days": survey.reminder_after_days or "",
        "expires_after_days": survey.expires_after_days,
        "min_answers": survey.min_answers,
        "intro_fr": survey.intro_fr,
        "intro_en": survey.intro_en,
        "email_subject_fr": survey.email_subject_fr,
        "email_subject_en": survey.email_subject_en,
        "email_body_fr": survey.email_body_fr,
        "email_body_en": survey.email_body_en,
    }
    for level, texts in survey.thanks.items():
        for language, text in texts.items():
            data[f"thanks_{level}_{language}"] = text
    return {**data, **changes}


def question_data(**changes: Any) -> dict[str, Any]:
    data = {"code": "store_visit", "type": "csat", "text_fr": "Votre visite ?", "text_en": "Your visit?"}
    return {**data, **changes}


@pytest.mark.django_db
def test_an_analyst_changes_the_settings_and_thank_you_texts(analyst: Client, survey: Survey) -> None:
    # Given the settings page, with its preview
    page = analyst.get(reverse("listening:survey_settings", args=[survey.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200
    assert 'id="preview-screen"' in page.content.decode()
    # When an analyst changes the cooldown, the reminder and the promoters' thank-you text
    response = analyst.post(
        reverse("listening:survey_settings", args=[survey.pk]),
        settings_data(
            survey, cooldown_days=120, reminder_after_days="", thanks_promoter_fr="Merci {first_name|} !"
        ),
    )
    # Then they are saved, and the analyst is back on the survey's page
    assert response.status_code == 302
    survey.refresh_from_db()
    assert (survey.cooldown_days, survey.reminder_after_days) == (120, None)
    assert survey.thanks["promoter"]["fr"] == "Merci {first_name|} !"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "{shop} ne désigne aucun champ client ni champ CRM"),
        ("en", "{shop} names no customer field or CRM field"),
    ],
)
@pytest.mark.django_db
def test_a_placeholder_naming_no_field_is_refused_on_its_field(
    analyst: Client, survey: Survey, language: str, expected: str
) -> None:
    # Given a customer whose CRM fields hold "store" but no "shop"
    CustomerFactory.create(organization=survey.organization, attributes={"store": "Lyon"})
    # When the e-mail subject uses {shop}
    response = analyst.post(
        reverse("listening:survey_settings", args=[survey.pk]),
        settings_data(survey, email_subject_fr="Votre visite à {shop}"),
        HTTP_ACCEPT_LANGUAGE=language,
    )
    # Then the form is refused, the message sits on the subject's field, and nothing is saved
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert expected in errors["email_subject_fr"][0]
    survey.refresh_from_db()
    assert "{shop}" not in survey.email_subject_fr
    # And a CRM field that exists is accepted
    ok = analyst.post(
        reverse("listening:survey_settings", args=[survey.pk]),
        settings_data(survey, email_subject_fr="Votre visite à {store|notre magasin}"),
    )
    assert ok.status_code == 302


@pytest.mark.django_db
def test_dropping_english_names_the_questions_that_lack_it(analyst: Client, org: Organization) -> None:
    # Given a French-only survey, when English is added to its languages
    document = {**shipped_template("relationship-nps"), "languages": ["fr"], "slug": "fr-only"}
    document["questions"] = [{"code": "recommend", "type": "nps", "text": {"fr": "Recommanderiez-vous ?"}}]
    survey = import_survey(org, document)[0]
    response = analyst.post(
        reverse("listening:survey_settings", args=[survey.pk]),
        settings_data(survey, languages=["fr", "en"]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    # Then the question without an English text is named
    assert response.status_code == 400
    assert any(
        "Question 1 (“recommend”)" in error and "“en”" in error
        for error in response.context["form"].non_field_errors()
    )


@pytest.mark.django_db
def test_an_analyst_adds_a_choice_question_with_its_options_and_a_condition(
    analyst: Client, survey: Survey
) -> None:
    # When an analyst adds a question shown to detractors only, with two options in French and English
    response = analyst.post(
        reverse("listening:question_new", args=[survey.pk]),
        question_data(
            code="fix_first",
            type="multi",
            options="delay | Les délais | Delays\nAccueil du magasin\n",
            show_if_question="recommend",
            show_if_min=0,
            show_if_max=6,
            required="on",
        ),
    )
    # Then it is saved last, with its options, condition and mark
    assert response.status_code == 302
    question = survey.questions.order_by("position").last()
    assert question is not None
    assert (question.code, question.type, question.required) == ("fix_first", "multi", True)
    assert question.options == [
        {"value": "delay", "fr": "Les délais", "en": "Delays"},
        {"value": "accueil_du_magasin", "fr": "Accueil du magasin"},
    ]
    assert question.show_if == {"question": "recommend", "min": 0, "max": 6}


@pytest.mark.parametrize(
    ("changes", "field", "expected"),
    [
        (
            {"known_from": "shoe_size"},
            "known_from",
            "«\u00a0shoe_size\u00a0» n’est ni un champ client ni un champ CRM",
        ),
        ({"criterion": "nope"}, "criterion", "nope"),
        ({"text_fr": "Bonjour {prenom}"}, "text_fr", "{prenom} ne désigne aucun champ client"),
        (
            {"show_if_question": "recommend", "show_if_min": 9, "show_if_max": 3},
            "show_if_question",
            "«\u00a0min\u00a0» dépasse «\u00a0max\u00a0»",
        ),
        ({"show_if_question": "recommend", "show_if_max": 12}, "show_if_max", "au plus 10"),
        ({"type": "choice", "options": "Bien"}, "options", "au moins 2"),
        ({"type": "choice", "options": "A B | Bien\nc | Mal"}, "options", "Option 1\u00a0:"),
        ({"code": "recommend"}, "code", "«\u00a0recommend\u00a0» est le code d’une autre question"),
    ],
)
@pytest.mark.django_db
def test_a_question_survey_files_would_refuse_is_refused_on_its_field_in_french(
    analyst: Client, survey: Survey, changes: dict[str, Any], field: str, expected: str
) -> None:
    # When an analyst saves a question with one bad value
    response = analyst.post(
        reverse("listening:question_new", args=[survey.pk]),
        question_data(**changes),
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    # Then it is refused with a French message on the field that holds it, and nothing is added
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert any(expected in message for message in errors[field]), errors[field]
    assert survey.questions.count() == 5


@pytest.mark.django_db
def test_a_known_from_field_that_exists_is_accepted(analyst: Client, survey: Survey) -> None:
    CustomerFactory.create(organization=survey.organization, attributes={"store": "Lyon"})
    response = analyst.post(
        reverse("listening:question_new", args=[survey.pk]), question_data(known_from="store")
    )
    assert response.status_code == 302
    assert survey.questions.get(code="store_visit").known_from == "store"


@pytest.mark.django_db
def test_an_analyst_edits_a_questions_texts(analyst: Client, survey: Survey) -> None:
    question = survey.questions.get(code="liked_most")
    url = reverse("listening:question_edit", args=[survey.pk, question.pk])
    form = analyst.get(url).context["form"]
    response = analyst.post(url, {**form.initial, "text_fr": "Qu’avez-vous préféré ?", "required": ""})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.text_fr == "Qu’avez-vous préféré ?"
    assert question.show_if == {"question": "recommend", "min": 9, "max": 10}


@pytest.mark.django_db
def test_an_answered_questions_type_and_code_are_locked(analyst: Client, survey: Survey) -> None:
    # Given an active survey whose first question has an answer
    survey.status = "active"
    survey.save()
    question = survey.questions.get(code="recommend")
    AnswerFactory.create(response=ResponseFactory.create(survey=survey), question=question, number=9)
    # When an analyst tries to make it a text question and to rename it
    url = reverse("listening:question_edit", args=[survey.pk, question.pk])
    initial = {k: v for k, v in analyst.get(url).context["form"].initial.items() if v is not None}
    response = analyst.post(url, {**initial, "type": "text", "code": "other", "text_fr": "Nouveau texte"})
    # Then the type and code stay (the fields are locked) while the text changes
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.type, question.code, question.text_fr) == ("nps", "recommend", "Nouveau texte")


@pytest.mark.django_db
def test_moving_a_question_up_and_down_works_without_script(analyst: Client, survey: Survey) -> None:
    question = survey.questions.get(code="main_criterion")
    url = reverse("listening:question_move", args=[survey.pk, question.pk])
    analyst.post(url, {"direction": "up"})
    codes = list(survey.questions.order_by("position").values_list("code", flat=True))
    assert codes[-2:] == ["main_criterion", "liked_most"]
    analyst.post(url, {"direction": "down"})
    assert survey.questions.order_by("position").last() == question


@pytest.mark.django_db
def test_a_question_cannot_move_above_the_one_its_condition_reads(analyst: Client, survey: Survey) -> None:
    # When "went_wrong" (shown after "recommend") is moved above it
    question = survey.questions.get(code="went_wrong")
    response = analyst.post(
        reverse("listening:question_move", args=[survey.pk, question.pk]),
        {"direction": "up"},
        HTTP_ACCEPT_LANGUAGE="fr",
        follow=True,
    )
    # Then nothing moves and the page says why
    assert survey.questions.order_by("position").first().code == "recommend"  # type: ignore[union-attr]
    assert "n’est pas une question antérieure" in response.content.decode()


@pytest.mark.django_db
def test_deleting_a_question_with_answers_is_refused(analyst: Client, survey: Survey) -> None:
    # Given a question with an answer and one without
    answered = survey.questions.get(code="liked_most")
    AnswerFactory.create(response=ResponseFactory.create(survey=survey), question=answered, text="Tout")
    unanswered = survey.questions.get(code="main_criterion")
    # When both are deleted
    refused = analyst.post(
        reverse("listening:question_delete", args=[survey.pk, answered.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    analyst.post(reverse("listening:question_delete", args=[survey.pk, unanswered.pk]))
    # Then the answered one stays, with the reason, and the other is gone
    assert "“liked_most” has answers: it cannot be deleted." in refused.content.decode()
    assert set(survey.questions.values_list("code", flat=True)) == {
        "recommend",
        "went_wrong",
        "to_get_a_ten",
        "liked_most",
    }


@pytest.mark.django_db
def test_a_question_of_another_survey_answers_404(analyst: Client, survey: Survey, org: Organization) -> None:
    other = import_survey(org, {**shipped_template("after-support"), "slug": "support"})[0]
    theirs = other.questions.first()
    assert theirs is not None
    url = reverse("listening:question_edit", args=[survey.pk, theirs.pk])
    assert analyst.get(url).status_code == 404


@pytest.mark.django_db
def test_the_preview_shows_the_unsaved_form_escaped_and_saves_nothing(
    analyst: Client, survey: Survey
) -> None:
    # When the question form, not saved, is sent to the preview in English
    question = survey.questions.get(code="liked_most")
    response = analyst.post(
        reverse("listening:survey_preview", args=[survey.pk]),
        {
            **question_data(code="liked_most", type="nps", text_en="<script>x</script> {first_name|you}?"),
            "part": "question",
            "question_id": question.pk,
            "preview_language": "en",
        },
    )
    # Then the preview shows the new text, escaped, personalised, with a 0–10 scale
    body = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;x&lt;/script&gt; Camille?" in body
    assert "<script>x" not in body
    assert body.count('class="scale-point"') >= 11 + 11  # the first question's scale and this one's
    assert "Extremely likely" in body
    # And nothing is saved
    question.refresh_from_db()
    assert question.type == "text"
    assert Question.objects.filter(survey=survey).count() == 5


@pytest.mark.django_db
def test_the_preview_of_settings_shows_the_thank_you_texts_in_french(analyst: Client, survey: Survey) -> None:
    response = analyst.post(
        reverse("listening:survey_preview", args=[survey.pk]),
        {**settings_data(survey, intro_fr="Bonjour {first_name|} !"), "part": "settings"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    body = response.content.decode()
    assert "Bonjour Camille !" in body
    assert "Page de remerciement" in body
    survey.refresh_from_db()
    assert survey.intro_fr.startswith("Deux minutes")
