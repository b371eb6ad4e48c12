"""Answering an invitation at /s/<token>: one question per screen, saved as it goes, its rules."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ecoute.accounts.models import Organization
from ecoute.listening.models import Answer, Invitation, Response
from tests.factories import CustomerFactory, SurveyFactory
from tests.listening.links import invitation_with_token, nps_survey, public_link_with_token, question

pytestmark = pytest.mark.django_db


def _invitation(org: Organization, **customer: str) -> tuple[Invitation, str]:
    survey = nps_survey(org)
    person = CustomerFactory.create(organization=org, **customer)
    return invitation_with_token(survey=survey, customer=person)


def test_opening_the_link_marks_it_opened_and_asks_the_first_question(org: Organization) -> None:
    # Given a sent invitation
    invitation, token = _invitation(org, language="fr")

    # When the customer opens the link
    page = Client().get(f"/s/{token}")

    # Then the first question is asked in French, with progress, and the invitation is opened
    assert page.status_code == 200
    html = page.content.decode()
    assert "Recommanderiez-vous la Maison" in html
    assert "Question 1 sur 3" in html  # the score, its follow-up, the city
    assert '<fieldset class="answer-scale' in html
    assert "<legend>" in html
    invitation.refresh_from_db()
    assert invitation.status == "opened"
    assert invitation.opened_at is not None
    assert not Response.objects.exists()


def test_a_detractor_is_asked_what_went_wrong_and_thanked_for_their_level(org: Organization) -> None:
    # Given an invitation to a customer whose city is on record
    invitation, token = _invitation(org, language="fr", city="Lyon")
    client = Client()

    # When they give 3 out of 10
    after_score = client.post(f"/s/{token}", {"question": "recommend", "score": "3"})

    # Then the score is saved at once and the next screen asks what went wrong
    assert after_score.status_code == 302
    response = Response.objects.get(invitation=invitation)
    assert response.answers.get().number == 3
    invitation.refresh_from_db()
    assert invitation.status == "started"
    follow_up = client.get(f"/s/{token}").content.decode()
    assert "Qu&#x27;est-ce qui n&#x27;a pas été" in follow_up
    assert "apprécié" not in follow_up

    # When they answer it (the city question is skipped: their record holds it)
    thanks = client.post(f"/s/{token}", {"question": "went_wrong", "text": "Livraison en retard"})

    # Then the response is complete, a detractor's, and they read the detractor's thanks
    assert thanks.status_code == 200
    assert "Nous sommes désolés" in thanks.content.decode()
    response.refresh_from_db()
    invitation.refresh_from_db()
    assert response.completed_at is not None
    assert response.nps_level == "detractor"
    assert invitation.status == "completed"
    assert set(response.answers.values_list("question__code", flat=True)) == {"recommend", "went_wrong"}


def test_a_promoter_is_asked_what_they_liked_most_in_english_with_the_survey_thanks(
    org: Organization,
) -> None:
    # Given an English-speaking customer with no city on record, and the survey's own promoter thanks
    invitation, token = _invitation(org, language="en", city="")
    invitation.survey.thanks = {"promoter": {"fr": "Merci, ambassadeur !", "en": "Thanks, champion!"}}
    invitation.survey.save()
    client = Client()

    # When they give 10, then answer each following screen
    client.post(f"/s/{token}", {"question": "recommend", "score": "10"})
    second = client.get(f"/s/{token}").content.decode()
    client.post(f"/s/{token}", {"question": "liked_most", "text": "The advice"})
    third = client.get(f"/s/{token}").content.decode()
    thanks = client.post(f"/s/{token}", {"question": "city", "text": "Nantes"})

    # Then they were asked in English what they liked most, then their city, and thanked as a promoter
    assert "What did you like most?" in second
    assert "Question 2 of 3" in second
    assert "Which city do you live in?" in third
    assert "Thanks, champion!" in thanks.content.decode()
    assert Response.objects.get().nps_level == "promoter"


def test_coming_back_resumes_and_previous_shows_the_answer_given(org: Organization) -> None:
    # Given a customer who answered the first question and left
    _invitation_row, token = _invitation(org, language="fr", city="")
    Client().post(f"/s/{token}", {"question": "recommend", "score": "8"})

    # When they open the link again, on another device
    again = Client().get(f"/s/{token}").content.decode()
    back = Client().get(f"/s/{token}?q=recommend").content.decode()

    # Then they resume at the next question, and going back shows their score checked
    assert "Qu&#x27;avez-vous" not in again  # a passive is asked neither follow-up
    assert "Dans quelle ville" in again
    assert "Question 2 sur 2" in again
    assert 'value="8" checked' in back


def test_a_passive_without_follow_up_completes_on_the_last_question(org: Organization) -> None:
    # Given a customer with a city on record (nothing follows a passive's score)
    invitation, token = _invitation(org, language="fr", city="Lyon")

    # When they give 8
    thanks = Client().post(f"/s/{token}", {"question": "recommend", "score": "8"})

    # Then that completes the response as a passive
    assert thanks.status_code == 200
    assert Response.objects.get(invitation=invitation).nps_level == "passive"


def test_a_score_out_of_the_scale_or_a_missing_required_answer_is_refused_with_a_message(
    org: Organization,
) -> None:
    # Given an invitation
    _invitation_row, token = _invitation(org, language="fr")

    # When the form sends 11, then nothing
    eleven = Client().post(f"/s/{token}", {"question": "recommend", "score": "11"})
    nothing = Client().post(f"/s/{token}", {"question": "recommend"})

    # Then both are refused in French, the question asked again, and nothing stored
    assert eleven.status_code == 400
    assert "pas l&#x27;un des choix" in eleven.content.decode()
    assert nothing.status_code == 400
    assert "Veuillez répondre" in nothing.content.decode()
    assert 'role="alert"' in nothing.content.decode()
    assert not Answer.objects.exists()


def test_unknown_expired_used_and_revoked_links_answer_the_same_404(org: Organization) -> None:
    # Given an expired, a revoked and a used invitation, and a token that was never given
    expired, expired_token = _invitation(org)
    expired.expires_at = timezone.now() - timedelta(minutes=1)
    expired.save()
    _revoked, revoked_token = _invitation(org)
    Invitation.objects.filter(pk=_revoked.pk).update(status="revoked")
    _used, used_token = _invitation(org, city="Lyon")
    Client().post(f"/s/{used_token}", {"question": "recommend", "score": "8"})

    # When each is opened, by plain link and by one-click score
    pages = [Client().get(f"/s/{token}") for token in ("x" * 43, expired_token, revoked_token, used_token)]
    pages += [Client().get(f"/s/{token}/9") for token in ("x" * 43, expired_token, used_token)]

    # Then every one is the same 404 page
    assert {page.status_code for page in pages} == {404}
    assert len({page.content for page in pages}) == 1


def test_the_one_click_score_is_preselected_and_recorded_only_by_the_post(org: Organization) -> None:
    # Given an invitation whose e-mail offers eleven score links
    invitation, token = _invitation(org, language="fr", city="Lyon")

    # When a mail scanner (or the customer) opens the link of 9
    page = Client().get(f"/s/{token}/9")

    # Then the survey shows with 9 checked, and nothing is recorded
    assert page.status_code == 200
    assert 'value="9" checked' in page.content.decode()
    assert f'action="/s/{token}"' in page.content.decode()
    assert not Response.objects.exists()

    # When the customer confirms with the button
    Client().post(f"/s/{token}", {"question": "recommend", "score": "9"})

    # Then the score is recorded
    assert Response.objects.get(invitation=invitation).answers.get(question__code="recommend").number == 9


def test_a_score_link_beyond_the_scale_answers_the_same_404(org: Organization) -> None:
    # Given an invitation
    _invitation_row, token = _invitation(org)

    # When a score link is altered
    pages = [Client().get(f"/s/{token}/{score}") for score in ("11", "-1", "abc", "09")]

    # Then each gets the page of links that cannot be answered
    assert {page.status_code for page in pages} == {404}
    assert len({page.content for page in pages} | {Client().get("/s/unknown").content}) == 1


def test_sending_the_last_step_again_shows_the_thanks_not_an_error(org: Organization) -> None:
    # Given a completed response
    _invitation_row, token = _invitation(org, city="Lyon")
    Client().post(f"/s/{token}", {"question": "recommend", "score": "8"})

    # When the same form is sent again (a reload, a double tap)
    again = Client().post(f"/s/{token}", {"question": "recommend", "score": "2"})

    # Then the thanks page is shown and the first answer kept
    assert again.status_code == 200
    assert Answer.objects.get().number == 8
    assert Response.objects.count() == 1


def test_without_a_language_the_customer_reads_the_organization_s(org: Organization) -> None:
    # Given an English-speaking organization and a customer with no language
    org.language = "en"
    org.save()
    _invitation_row, token = _invitation(org, language="")

    # When they open the link
    page = Client().get(f"/s/{token}").content.decode()

    # Then the page is in English
    assert "Would you recommend us?" in page
    assert '<html lang="en">' in page


def test_a_follow_up_left_behind_by_a_changed_score_is_dropped_on_completion(org: Organization) -> None:
    # Given a customer who gave 3 and said what went wrong
    invitation, token = _invitation(org, language="fr", city="")
    client = Client()
    client.post(f"/s/{token}", {"question": "recommend", "score": "3"})
    client.post(f"/s/{token}", {"question": "went_wrong", "text": "Rien, je me suis trompé"})

    # When they go back, give 10 instead, and answer the questions that follow
    client.post(f"/s/{token}?q=recommend", {"question": "recommend", "score": "10"})
    client.post(f"/s/{token}", {"question": "liked_most", "text": "Le conseil"})
    client.post(f"/s/{token}", {"question": "city", "text": "Lyon"})

    # Then the promoter's response holds no answer to "what went wrong?"
    response = Response.objects.get(invitation=invitation)
    assert response.nps_level == "promoter"
    codes = set(response.answers.values_list("question__code", flat=True))
    assert codes == {"recommend", "liked_most", "city"}


def test_a_score_clicked_in_the_e_mail_opens_its_question_even_when_not_first(org: Organization) -> None:
    # Given a survey whose NPS question comes second, after a satisfaction question
    survey = SurveyFactory.create(organization=org, status="active")
    question(survey, "satisfied", "csat", "Êtes-vous satisfait ?", "Are you satisfied?")
    question(survey, "recommend", "nps", "Nous recommanderiez-vous ?", "Would you recommend us?")
    _invitation_row, token = invitation_with_token(
        survey=survey, customer=CustomerFactory.create(organization=org)
    )
    client = Client()

    # When the score link of 4 is opened, and the score confirmed
    page = client.get(f"/s/{token}/4").content.decode()
    client.post(f"/s/{token}", {"question": "recommend", "score": "4"})

    # Then the NPS question was shown with 4 chosen, and the satisfaction question comes next
    assert "Nous recommanderiez-vous" in page
    assert 'value="4" checked' in page
    assert "Êtes-vous satisfait" in client.get(f"/s/{token}").content.decode()


def test_texts_speak_to_the_customer_and_fall_back_for_anonymous_respondents(org: Organization) -> None:
    # Given a question and thanks addressing the customer by first name, with a fallback
    survey = SurveyFactory.create(
        organization=org, status="active", thanks={"default": {"fr": "Merci {first_name|à vous} !"}}
    )
    question(survey, "recommend", "nps", "{first_name|Cher client}, nous recommanderiez-vous ?", "")
    customer = CustomerFactory.create(organization=org, first_name="Jeanne", language="fr")
    _invitation_row, token = invitation_with_token(survey=survey, customer=customer)
    _link, public_token = public_link_with_token(survey=survey)

    # When the customer and an anonymous respondent answer
    page = Client().get(f"/s/{token}").content.decode()
    thanks = Client().post(f"/s/{token}", {"question": "recommend", "score": "9"}).content.decode()
    anonymous = Client().get(f"/p/{public_token}").content.decode()

    # Then the customer reads their name, the anonymous respondent the fallback
    assert "Jeanne, nous recommanderiez-vous ?" in page
    assert "Merci Jeanne !" in thanks
    assert "Cher client, nous recommanderiez-vous ?" in anonymous


def test_a_question_known_from_a_crm_field_is_skipped_for_customers_who_have_it(org: Organization) -> None:
    # Given a question on the store, known from the CRM field "store"
    survey = SurveyFactory.create(organization=org, status="active")
    question(survey, "recommend", "nps", "Nous recommanderiez-vous ?", "")
    question(survey, "store", "text", "Dans quel magasin ?", "", known_from="store")
    known = CustomerFactory.create(organization=org, attributes={"store": "Lyon Part-Dieu"})
    unknown = CustomerFactory.create(organization=org, attributes={"store": " "})
    _i1, known_token = invitation_with_token(survey=survey, customer=known)
    _i2, unknown_token = invitation_with_token(survey=survey, customer=unknown)

    # When each gives a score
    finished = Client().post(f"/s/{known_token}", {"question": "recommend", "score": "8"})
    asked = Client().post(f"/s/{unknown_token}", {"question": "recommend", "score": "8"})

    # Then the one whose record holds the store is done; the other is asked
    assert finished.status_code == 200
    assert asked.status_code == 302
