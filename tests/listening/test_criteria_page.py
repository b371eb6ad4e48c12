"""The criteria page: the organization lists and edits its criteria, with at most three key ones."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from ecoute.accounts.models import Organization, Role
from ecoute.listening.actions import ensure_listening_defaults
from ecoute.listening.forms import CriterionForm
from ecoute.listening.models import Criterion
from tests.conftest import member_client
from tests.factories import CriterionFactory, MembershipFactory


def edit_data(criterion: Criterion, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name_fr": criterion.name_fr,
        "name_en": criterion.name_en,
        "description_fr": criterion.description_fr,
        "description_en": criterion.description_en,
        "importance": criterion.importance,
        "target_score": str(criterion.target_score).replace(".", ","),
    }
    if criterion.is_key:
        data["is_key"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.django_db
def test_the_criteria_page_lists_the_organizations_criteria_in_french(
    owner_client: Client, org: Organization
) -> None:
    # given an organization with its shipped criteria
    ensure_listening_defaults(org)
    # when its owner opens the page
    page = owner_client.get(reverse("listening:criterion_list"), HTTP_ACCEPT_LANGUAGE="fr")
    # then every criterion shows, in French, and the page is in the navigation
    body = page.content.decode()
    assert page.status_code == 200
    assert "Critères de satisfaction" in body
    assert "Livraison" in body
    assert "Service après-vente" in body
    assert f'href="{reverse("listening:criterion_list")}"' in body


@pytest.mark.django_db
def test_the_criteria_page_speaks_english_to_an_english_reader(
    owner_client: Client, org: Organization
) -> None:
    ensure_listening_defaults(org)
    body = owner_client.get(reverse("listening:criterion_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Satisfaction criteria" in body
    assert "After-sales service" in body


@pytest.mark.django_db
def test_an_analyst_edits_a_criterion_with_a_french_decimal_target(org: Organization) -> None:
    # given an analyst and a criterion
    client = member_client(MembershipFactory.create(organization=org, role=Role.ANALYST))
    criterion = CriterionFactory.create(organization=org, name_fr="Livraison", importance=3)
    # when they change its name, importance and target ("8,5" in French)
    response = client.post(
        reverse("listening:criterion_edit", args=[criterion.pk]),
        edit_data(criterion, name_fr="Livraison à domicile", importance=5, target_score="8,5"),
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    # then it is saved and they are back on the list
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert (criterion.name_fr, criterion.importance, str(criterion.target_score)) == (
        "Livraison à domicile",
        5,
        "8.5",
    )


@pytest.mark.django_db
def test_a_fourth_key_criterion_is_refused_with_a_message(owner_client: Client, org: Organization) -> None:
    # given three key criteria and a fourth not key
    for _n in range(3):
        CriterionFactory.create(organization=org, is_key=True)
    fourth = CriterionFactory.create(organization=org, is_key=False)
    # when the owner marks the fourth as key
    response = owner_client.post(
        reverse("listening:criterion_edit", args=[fourth.pk]),
        edit_data(fourth, is_key="on"),
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    # then it is refused, saying why, in French
    assert response.status_code == 400
    assert "Au plus 3 critères peuvent être clés" in response.content.decode()
    fourth.refresh_from_db()
    assert not fourth.is_key
    assert Criterion.objects.for_org(org).filter(is_key=True).count() == 3


@pytest.mark.django_db
def test_a_key_criterion_stays_key_when_edited(owner_client: Client, org: Organization) -> None:
    # given three key criteria
    key = [CriterionFactory.create(organization=org, is_key=True) for _n in range(3)]
    # when one of them is edited and stays key / then it is saved
    response = owner_client.post(
        reverse("listening:criterion_edit", args=[key[0].pk]), edit_data(key[0], importance=4)
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_new_criterion_takes_the_next_position_and_its_code_must_be_free(
    owner_client: Client, org: Organization
) -> None:
    ensure_listening_defaults(org)
    last = Criterion.objects.for_org(org).order_by("-position").first()
    assert last is not None
    url = reverse("listening:criterion_new")
    data = {"code": "parking", "name_fr": "Stationnement", "name_en": "Parking", "importance": 2}
    data["target_score"] = "7"
    assert owner_client.post(url, data).status_code == 302
    assert Criterion.objects.get(organization=org, code="parking").position == last.position + 1
    # a second criterion with the same code is refused, not crashed on
    again = owner_client.post(url, data, HTTP_ACCEPT_LANGUAGE="fr")
    assert again.status_code == 400
    assert "Un autre critère a déjà ce code." in again.content.decode()


@pytest.mark.django_db
def test_bad_values_are_refused_field_by_field(owner_client: Client, org: Organization) -> None:
    criterion = CriterionFactory.create(organization=org)
    response = owner_client.post(
        reverse("listening:criterion_edit", args=[criterion.pk]),
        edit_data(criterion, importance=9, target_score="douze", name_fr=""),
    )
    assert response.status_code == 400
    criterion.refresh_from_db()
    assert criterion.importance == 3


@pytest.mark.django_db
def test_viewers_see_the_criteria_but_cannot_edit_them(org: Organization) -> None:
    # given a viewer
    client = member_client(MembershipFactory.create(organization=org, role=Role.VIEWER))
    criterion = CriterionFactory.create(organization=org)
    # then they see the list without edit links, and editing is forbidden
    page = client.get(reverse("listening:criterion_list"))
    assert page.status_code == 200
    assert reverse("listening:criterion_edit", args=[criterion.pk]) not in page.content.decode()
    assert client.get(reverse("listening:criterion_edit", args=[criterion.pk])).status_code == 403
    assert client.post(reverse("listening:criterion_new"), {"code": "x"}).status_code == 403


@pytest.mark.django_db
def test_another_organizations_criterion_answers_404(owner_client: Client, other_org: Organization) -> None:
    theirs = CriterionFactory.create(organization=other_org)
    url = reverse("listening:criterion_edit", args=[theirs.pk])
    assert owner_client.get(url).status_code == 404
    assert owner_client.post(url, edit_data(theirs, name_fr="Piraté")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name_fr != "Piraté"
    # and their criteria are not listed
    with translation.override("fr"):
        assert theirs.name_fr not in owner_client.get(reverse("listening:criterion_list")).content.decode()


@pytest.mark.django_db
def test_a_code_taken_between_the_check_and_the_save_is_refused_not_crashed_on(
    owner_client: Client, org: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a criterion "parking", created by someone else after the form checked the code
    CriterionFactory.create(organization=org, code="parking")
    monkeypatch.setattr(CriterionForm, "clean_code", lambda form: form.cleaned_data["code"])
    # when the new criterion with the same code is saved
    response = owner_client.post(
        reverse("listening:criterion_new"),
        {"code": "parking", "name_fr": "Parking", "name_en": "Parking", "importance": 2, "target_score": "7"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    # then the form says so, and one criterion remains
    assert response.status_code == 400
    assert "Un autre critère a déjà ce code." in response.content.decode()
    assert Criterion.objects.filter(organization=org, code="parking").count() == 1
