"""Each question type is asked with its own controls and its answer stored in its own fields."""

from typing import Any

import pytest
from django.test import Client

from ecoute.accounts.models import Organization
from ecoute.listening.models import Response
from tests.factories import CustomerFactory, SurveyFactory
from tests.listening.links import invitation_with_token, public_link_with_token, question

pytestmark = pytest.mark.django_db

OPTIONS = [{"value": "price", "fr": "Le prix", "en": "The price"},
           {"value": "advice", "fr": "Le conseil", "en": "The advice"}]  # fmt: skip

# (type, what the page shows, what is posted, the stored answer's fields)
STEPS: list[tuple[str, list[str], dict[str, Any], dict[str, Any]]] = [
    ("csat", ['name="score" value="5"', "Très satisfait"], {"score": "4"}, {"number": 4}),
    ("ces", ['name="score" value="7"', "Très facile"], {"score": "2"}, {"number": 2}),
    ("rating", ['name="score" value="5"', "Excellent"], {"score": "5"}, {"number": 5}),
    ("importance_satisfaction", ['name="importance" value="1"', "Quelle importance"],
     {"importance": "5", "score": "3"}, {"number": 3, "importance": 5}),
    ("choice", ['type="radio"', "Le conseil"], {"choices": ["advice"]}, {"choices": ["advice"]}),
    ("multi", ['type="checkbox"', "Choisissez toutes"], {"choices": ["price", "advice"]},
     {"choices": ["price", "advice"]}),
    ("yes_no", ["Oui", "Non"], {"score": "0"}, {"number": 0}),
]  # fmt: skip


def test_each_type_is_asked_and_stored(org: Organization) -> None:
    # Given a survey with one question of each type
    survey = SurveyFactory.create(organization=org, status="active")
    for kind, *_rest in STEPS:
        question(survey, kind, kind, f"Question {kind} ?", f"Question {kind}?", options=OPTIONS)
    invitation, token = invitation_with_token(
        survey=survey, customer=CustomerFactory.create(organization=org, language="fr")
    )
    client = Client()

    for kind, shown, posted, stored in STEPS:
        # When the customer reaches the question and answers it
        page = client.get(f"/s/{token}").content.decode()
        answered = client.post(f"/s/{token}", {"question": kind, **posted})

        # Then it offered its own controls, and the answer is kept in its fields
        assert f"Question {kind} ?" in page
        assert all(text in page for text in shown), (kind, shown)
        assert answered.status_code in {200, 302}
        answer = Response.objects.get(invitation=invitation).answers.get(question__code=kind)
        assert {name: getattr(answer, name) for name in stored} == stored

    assert Response.objects.get(invitation=invitation).completed_at is not None


def test_a_choice_not_offered_and_half_an_importance_pair_are_refused(org: Organization) -> None:
    # Given a survey asking a choice, then importance and satisfaction
    survey = SurveyFactory.create(organization=org, status="active")
    question(survey, "pick", "choice", "Votre choix ?", "Your choice?", options=OPTIONS)
    question(survey, "pair", "importance_satisfaction", "La livraison", "Delivery")
    _invitation_row, token = invitation_with_token(
        survey=survey, customer=CustomerFactory.create(organization=org)
    )

    # When a choice not offered, then two choices, then an importance without a satisfaction are sent
    forged = Client().post(f"/s/{token}", {"question": "pick", "choices": ["free-gift"]})
    both = Client().post(f"/s/{token}", {"question": "pick", "choices": ["price", "advice"]})
    Client().post(f"/s/{token}", {"question": "pick", "choices": ["price"]})
    half = Client().post(f"/s/{token}", {"question": "pair", "importance": "4"})

    # Then each is refused with a message and only the valid answer is stored
    assert [forged.status_code, both.status_code, half.status_code] == [400, 400, 400]
    assert "Veuillez répondre" in half.content.decode()
    assert list(Response.objects.get().answers.values_list("choices", flat=True)) == [["price"]]


@pytest.mark.parametrize("path", ["/s/{token}", "/p/{token}"])
def test_a_text_answer_with_control_characters_is_kept_without_them(org: Organization, path: str) -> None:
    # Given a survey asking one free text, reached by an invitation or a public link
    survey = SurveyFactory.create(organization=org, status="active")
    question(survey, "said", "text", "Un mot ?", "A word?")
    if path.startswith("/s/"):
        _invitation_row, token = invitation_with_token(
            survey=survey, customer=CustomerFactory.create(organization=org)
        )
    else:
        _link, token = public_link_with_token(survey=survey, organization=org)
    # When the form is posted with a NUL and other control characters in the text (PostgreSQL
    # refuses a NUL: the page must not fail)
    posted = Client().post(
        path.format(token=token), {"question": "said", "text": "Trop\x00 \x07cher\r\nvraiment"}
    )
    # Then the answer is kept, its line break too, without the control characters
    assert posted.status_code == 200
    assert Response.objects.get().answers.get().text == "Trop cher\r\nvraiment"
