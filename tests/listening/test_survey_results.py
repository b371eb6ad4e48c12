"""A survey's results page: figures as ecoute/analytics computes them, greyed under the minimum n,
the invitations' funnel, and verbatims filtered by level and searched."""

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from ecoute.accounts.models import Membership, Organization, Role
from ecoute.analytics.means import mean_with_interval
from ecoute.analytics.nps import level_of, nps_of_scores
from ecoute.analytics.proportions import csat
from ecoute.listening.models import Answer, Question, Response, Survey
from ecoute.listening.results import percent, signed
from tests.conftest import member_client
from tests.factories import (
    CustomerFactory,
    InvitationFactory,
    MembershipFactory,
    QuestionFactory,
    SurveyFactory,
    WaveFactory,
)

NPS_SCORES = [10, 9, 9, 8, 7, 7, 6, 3, 10, 0] * 4  # 40 answers
CSAT_SCORES = [5, 4, 4, 3, 2, 5, 1, 4] * 5  # 40 answers
CES_SCORES = [7, 6, 6, 5, 2, 4, 7, 3] * 5


def _answer(survey: Survey, question: Question, scores: list[int]) -> None:
    for score in scores:
        level = str(level_of(score)) if question.type == "nps" else ""
        response = Response.objects.create(
            organization=survey.organization, survey=survey, channel="email", nps_level=level
        )
        Answer.objects.create(response=response, question=question, number=score)


@pytest.fixture
def survey(org: Organization) -> Survey:
    survey = SurveyFactory.create(organization=org, min_answers=30)
    for code, kind in (("recommend", "nps"), ("satisfaction", "csat"), ("effort", "ces")):
        QuestionFactory.create(survey=survey, code=code, type=kind)
    return survey


def _page(client: Client, survey: Survey, **params: str) -> str:
    response = client.get(reverse("listening:survey_results", args=[survey.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def viewer(org: Organization) -> Membership:
    return MembershipFactory.create(organization=org, role=Role.VIEWER, user__email="lecture@maison.fr")


@pytest.mark.django_db
def test_the_figures_on_the_page_are_those_of_the_analytics_on_the_same_answers(
    survey: Survey, viewer: Membership
) -> None:
    # Given 40 answers to each of an NPS, a CSAT and a CES question
    questions = {q.code: q for q in survey.questions.all()}
    _answer(survey, questions["recommend"], NPS_SCORES)
    _answer(survey, questions["satisfaction"], CSAT_SCORES)
    _answer(survey, questions["effort"], CES_SCORES)
    # When a viewer opens the results
    client = member_client(viewer)
    response = client.get(reverse("listening:survey_results", args=[survey.pk]))
    # Then each figure, its interval and n are what ecoute/analytics computes
    assert response.status_code == 200
    results = {r.question.code: r for r in response.context["questions"]}
    assert results["recommend"].nps == nps_of_scores(NPS_SCORES)
    assert results["satisfaction"].csat == csat(CSAT_SCORES)
    assert results["effort"].mean == mean_with_interval(CES_SCORES)
    html = response.content.decode()
    expected_nps = nps_of_scores(NPS_SCORES)
    assert expected_nps.estimate is not None
    with translation.override("fr"):
        assert signed(expected_nps.estimate) in html
        assert f"{signed(expected_nps.low)} à {signed(expected_nps.high)}" in html
        expected_csat = csat(CSAT_SCORES)
        assert expected_csat.estimate is not None
        assert percent(expected_csat.estimate, 1) in html
    # And the numbers are written the French way, with the split by level
    assert "n = 40 réponses" in html
    assert "Promoteur" in html
    assert "Détracteur" in html
    assert "pas assez de réponses" not in html


@pytest.mark.django_db
def test_a_figure_under_the_minimum_of_answers_is_shown_greyed_not_hidden(
    survey: Survey, owner_client: Client
) -> None:
    # Given 12 NPS answers, under the survey's minimum of 30
    _answer(survey, survey.questions.get(code="recommend"), NPS_SCORES[:12])
    # When the results are opened
    html = _page(owner_client, survey)
    # Then the NPS is there, greyed, saying there are not enough answers
    expected = nps_of_scores(NPS_SCORES[:12]).estimate
    assert expected is not None
    with translation.override("fr"):
        assert signed(expected) in html
    assert 'class="stat greyed" data-figure="recommend"' in html
    assert "pas assez de réponses" in html
    assert "n = 12 réponses" in html


@pytest.mark.django_db
def test_the_funnel_counts_invitations_per_wave_with_the_reasons_they_were_skipped(
    survey: Survey, owner_client: Client
) -> None:
    # Given a wave of 6 invitations: 2 skipped (consent, pressure), 1 bounced, 3 sent of which 1 answered
    wave = WaveFactory.create(survey=survey, planned_at=datetime(2026, 3, 2, 9, tzinfo=UTC))
    for reason in ("consent", "pressure"):
        InvitationFactory.create(
            survey=survey, wave=wave, status="skipped", skip_reason=reason, token_hash=None
        )
    InvitationFactory.create(survey=survey, wave=wave, status="bounced")
    sent = [
        InvitationFactory.create(survey=survey, wave=wave, status="sent", sent_at=wave.planned_at)
        for _ in range(3)
    ]
    sent[0].status = "completed"
    sent[0].save()
    Response.objects.create(
        organization=survey.organization,
        survey=survey,
        invitation=sent[0],
        channel="email",
        completed_at=wave.planned_at,
    )
    # When the results are opened
    response = owner_client.get(reverse("listening:survey_results", args=[survey.pk]))
    # Then the wave's row says planned 6, skipped by reason, sent 4 (the bounce was sent), 1 completed
    (row,) = response.context["funnel"]
    assert (row.planned, row.sent, row.bounced, row.started, row.completed) == (6, 4, 1, 1, 1)
    assert sorted(row.skipped) == [("pas de consentement", 1), ("pression de contact", 1)]
    html = response.content.decode()
    assert "Vague du 2 mars 2026" in html
    assert "25,0\xa0%" in html  # 1 of 4 sent


@pytest.mark.django_db
def test_verbatims_are_filtered_by_level_and_searched(survey: Survey, owner_client: Client) -> None:
    # Given written answers of a detractor and a promoter
    why = QuestionFactory.create(survey=survey, code="why", type="text")
    customer = CustomerFactory.create(organization=survey.organization)
    texts = {
        "detractor": "Livraison arrivée avec une semaine de retard.",
        "promoter": "Très bon conseil en magasin, livraison rapide.",
        "passive": "Prix un peu élevés.",
    }
    for level, text in texts.items():
        response = Response.objects.create(
            organization=survey.organization, survey=survey, customer=customer, channel="web", nps_level=level
        )
        Answer.objects.create(response=response, question=why, text=text)
    # When the detractors' verbatims are asked for
    html = _page(owner_client, survey, level="detractor")
    # Then only theirs are shown
    assert texts["detractor"] in html
    assert texts["promoter"] not in html
    # And a search finds the word in any level, whatever its capitals
    html = _page(owner_client, survey, q="LIVRAISON")
    assert texts["detractor"] in html
    assert texts["promoter"] in html
    assert texts["passive"] not in html
    # And htmx gets the list alone
    fragment = owner_client.get(
        reverse("listening:survey_results", args=[survey.pk]), {"q": "prix"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert texts["passive"] in fragment
    assert "<h1>" not in fragment


@pytest.mark.django_db
def test_verbatims_are_paginated(survey: Survey, owner_client: Client) -> None:
    # Given 25 written answers
    why = QuestionFactory.create(survey=survey, code="why", type="text")
    for number in range(25):
        response = Response.objects.create(organization=survey.organization, survey=survey, channel="web")
        Answer.objects.create(response=response, question=why, text=f"Remarque numéro {number:02d}")
    # When the second page is asked for
    html = _page(owner_client, survey, page="2")
    # Then it holds the five oldest
    assert html.count("Remarque numéro") == 5
    assert "Page 2 sur 2" in html


@pytest.mark.django_db
def test_another_organizations_survey_results_answer_404(
    owner_client: Client, other_org: Organization
) -> None:
    theirs = SurveyFactory.create(organization=other_org)
    assert owner_client.get(reverse("listening:survey_results", args=[theirs.pk])).status_code == 404


@pytest.mark.django_db
def test_choices_are_counted_per_option_with_their_labels(survey: Survey, owner_client: Client) -> None:
    # Given a one-choice and a several-choice question, with options labelled in French
    options = [{"value": "price", "fr": "Les prix", "en": "Prices"}, {"value": "advice", "fr": "Le conseil"}]
    one = QuestionFactory.create(survey=survey, code="main", type="choice", options=options)
    several = QuestionFactory.create(survey=survey, code="all", type="multi", options=options)
    for picked in (["price"], ["price"], ["advice"]):
        answered = Response.objects.create(organization=survey.organization, survey=survey, channel="web")
        Answer.objects.create(response=answered, question=one, choices=picked)
        Answer.objects.create(response=answered, question=several, choices=["price", "advice"])
    # When the results are opened
    page = owner_client.get(reverse("listening:survey_results", args=[survey.pk]))
    # Then each option has its count and share of the answers, under its label
    results = {r.question.code: r for r in page.context["questions"]}
    assert [(bar.label, bar.count, bar.share) for bar in results["main"].bars] == [
        ("Les prix", 2, "67\xa0%"),
        ("Le conseil", 1, "33\xa0%"),
    ]
    assert [(bar.label, bar.count) for bar in results["all"].bars] == [("Les prix", 3), ("Le conseil", 3)]
    assert results["all"].n == 3


@pytest.mark.django_db
def test_a_survey_without_answers_and_odd_filters_still_show_the_page(
    survey: Survey, owner_client: Client
) -> None:
    # Given a survey nobody answered, asked for with an unknown level, a huge search and a bad page
    params = {"level": "ambassador", "q": "x" * 5000, "page": "abc"}
    # When the results are opened
    html = _page(owner_client, survey, **params)
    # Then the figures are greyed with n = 0, and the verbatims are simply empty
    assert "n = 0 réponse" in html
    assert "intervalle inconnu" in html
    assert "−100" not in html
    assert "Aucune réponse écrite ne correspond." in html
    assert "Aucune invitation pour l’instant." in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("élevé", ["Prix un peu élevés.", "ÉLEVÉ pour la qualité"]),
        ("ELEVE", ["Prix un peu élevés.", "ÉLEVÉ pour la qualité"]),
        ("tres", ["Très bon accueil à Évreux"]),
        ("évreux", ["Très bon accueil à Évreux"]),
        ("100%", ["Satisfait à 100% (vraiment)"]),
        ("%", ["Satisfait à 100% (vraiment)"]),
        ("_", ["mot_clé"]),
        ("(vraiment)", ["Satisfait à 100% (vraiment)"]),
        ("a.b", []),
        ("prix\x00", ["Prix un peu élevés."]),
        ("oeuvre", ["Une belle Œuvre"]),
        ("œuvre", ["Une belle Œuvre"]),
    ],
)
def test_verbatim_search_ignores_accents_and_capitals_and_takes_wildcards_literally(
    survey: Survey, owner_client: Client, query: str, found: list[str]
) -> None:
    # Given written answers with accents, capitals and the characters SQL and regular expressions use
    why = QuestionFactory.create(survey=survey, code="why", type="text")
    texts = ["Prix un peu élevés.", "ÉLEVÉ pour la qualité", "Très bon accueil à Évreux",
             "Satisfait à 100% (vraiment)", "mot_clé", "abc", "Une belle Œuvre"]  # fmt: skip
    for text in texts:
        response = Response.objects.create(organization=survey.organization, survey=survey, channel="web")
        Answer.objects.create(response=response, question=why, text=text)
    # When the verbatims are searched, the same way on SQLite and PostgreSQL
    page = owner_client.get(reverse("listening:survey_results", args=[survey.pk]), {"q": query})
    # Then the answers holding the words are found, whatever their accents and capitals, and only they
    assert page.status_code == 200
    assert sorted(answer.text for answer in page.context["page"]) == sorted(found)
