"""Public links /p/<token>: anonymous answers, one per browser, a rate limit per address; their page."""

import re
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from ecoute.accounts.models import Organization, Role
from ecoute.lib.tokens import token_digest
from ecoute.listening.models import PublicLink, Response, Survey
from tests.conftest import member_client
from tests.factories import MembershipFactory
from tests.listening.links import nps_survey, public_link_with_token

pytestmark = pytest.mark.django_db


def test_an_anonymous_respondent_answers_once_per_browser(org: Organization) -> None:
    # Given a public link on a receipt
    link, token = public_link_with_token(survey=nps_survey(org))
    browser = Client()

    # When someone scans it, gives 9, and answers each following screen
    first = browser.get(f"/p/{token}")
    browser.post(f"/p/{token}", {"question": "recommend", "score": "9"})
    follow_up = browser.get(f"/p/{token}").content.decode()
    browser.post(f"/p/{token}", {"question": "liked_most", "text": "L'accueil"})
    thanks = browser.post(f"/p/{token}", {"question": "city", "text": "Lyon"})

    # Then an anonymous, completed promoter response is stored and they are thanked
    assert "Recommanderiez-vous" in first.content.decode()
    assert "apprécié" in follow_up
    assert "Merci" in thanks.content.decode()
    response = Response.objects.get()
    assert response.public_link == link
    assert response.customer is None
    assert response.completed_at is not None
    assert response.nps_level == "promoter"
    assert response.answers.count() == 3

    # When the same browser comes back, or sends the form again
    again = browser.get(f"/p/{token}")
    resent = browser.post(f"/p/{token}", {"question": "recommend", "score": "0"})

    # Then it is told it answered already, and nothing more is stored; another browser may answer
    assert "déjà répondu" in again.content.decode()
    assert "déjà répondu" in resent.content.decode()
    assert Response.objects.count() == 1
    Client().post(f"/p/{token}", {"question": "recommend", "score": "5"})
    assert Response.objects.count() == 2


def test_a_forged_guard_cookie_is_ignored(org: Organization) -> None:
    # Given a browser that sets the guard cookie by hand, unsigned
    link, token = public_link_with_token(survey=nps_survey(org))
    browser = Client()
    browser.cookies[f"ecoute_survey_{link.survey_id}"] = "12345"

    # When it answers
    browser.post(f"/p/{token}", {"question": "recommend", "score": "7"})

    # Then a new response of its own is started, not someone else's continued
    assert Response.objects.get().public_link == link


@time_machine.travel(datetime(2026, 3, 14, 10, 0, 5, tzinfo=UTC), tick=True)  # well inside one hour
@pytest.mark.usefixtures("clock_mid_window")
def test_answers_from_one_address_are_limited(org: Organization, settings: Any) -> None:
    # Given a limit of two responses an hour per address
    settings.PUBLIC_RESPONSE_RATE_LIMIT = 2
    _link, token = public_link_with_token(survey=nps_survey(org))

    # When three fresh browsers on one connection start answering
    pages = [Client().post(f"/p/{token}", {"question": "recommend", "score": "10"}) for _ in range(3)]

    # Then the third is refused with 429 and a reason, and two responses are stored
    assert [page.status_code for page in pages] == [302, 302, 429]
    assert "Trop de réponses" in pages[2].content.decode()
    assert pages[2]["Retry-After"]
    assert Response.objects.count() == 2


@time_machine.travel(datetime(2026, 3, 14, 10, 0, 5, tzinfo=UTC), tick=True)  # well inside one hour
@pytest.mark.usefixtures("clock_mid_window")
def test_addresses_of_one_ipv6_network_share_the_limit(org: Organization, settings: Any) -> None:
    # Given a limit of two responses an hour, and one IPv6 connection, which is handed a whole /64
    settings.PUBLIC_RESPONSE_RATE_LIMIT = 2
    _link, token = public_link_with_token(survey=nps_survey(org))
    addresses = ["2001:db8:1:2::1", "2001:db8:1:2::ffff", "2001:db8:1:2:abcd::7", "2001:db8:1:3::1"]

    # When fresh browsers start answering, each from another address of the connection, then from
    # another network
    pages = [
        Client(REMOTE_ADDR=address).post(f"/p/{token}", {"question": "recommend", "score": "10"})
        for address in addresses
    ]

    # Then the third address of the same /64 is refused, and the other network is not
    assert [page.status_code for page in pages] == [302, 302, 429, 302]
    assert Response.objects.count() == 3


def test_a_deactivated_or_unknown_public_link_answers_the_same_404(org: Organization) -> None:
    # Given a deactivated link
    _link, token = public_link_with_token(survey=nps_survey(org), active=False)

    # When it and an unknown one are opened, and an unknown invitation
    pages = [Client().get(f"/p/{token}"), Client().get("/p/" + "y" * 43), Client().get("/s/" + "y" * 43)]

    # Then they are the same 404 page
    assert {page.status_code for page in pages} == {404}
    assert len({page.content for page in pages}) == 1


@pytest.mark.parametrize("status", ["draft", "closed"])
def test_a_link_to_a_survey_not_active_answers_the_same_404_and_records_nothing(
    org: Organization, status: str
) -> None:
    # Given a link of a survey still a draft (or already closed)
    survey = nps_survey(org)
    _link, token = public_link_with_token(survey=survey)
    Survey.objects.filter(pk=survey.pk).update(status=status)
    # When it is opened, and an answer posted to it
    opened = Client().get(f"/p/{token}")
    posted = Client().post(f"/p/{token}", {"question": "recommend", "score": "10"})
    # Then both get the page of an unknown link, and nothing is recorded
    unknown = Client().get("/p/" + "y" * 43)
    assert (opened.status_code, posted.status_code) == (404, 404)
    assert opened.content == unknown.content
    assert Response.objects.count() == 0


def test_an_analyst_makes_a_link_and_downloads_its_qr_code(org: Organization, settings: Any) -> None:
    # Given an analyst and a survey, on a site whose public address is not the one the analyst uses
    settings.SITE_URL = "https://avis.maison-lumiere.fr"
    survey = nps_survey(org)
    analyst = member_client(MembershipFactory.create(organization=org, role=Role.ANALYST))

    # When they create a link labelled for the Lyon store
    page = analyst.post(f"/surveys/{survey.pk}/links/", {"label": "Ticket Lyon"})

    # Then the page shows its public address once, whose token's digest is what is stored
    html = page.content.decode()
    token = re.search(r"https://avis\.maison-lumiere\.fr/p/([\w-]+)", html)
    assert "testserver" not in html
    assert token is not None
    link = PublicLink.objects.get(survey=survey)
    assert link.token_hash == token_digest(token.group(1))
    assert link.label == "Ticket Lyon"
    assert 'src="data:image/svg+xml' in html
    assert page["Cache-Control"].startswith("max-age=0")

    # When they download the QR code in SVG and PNG
    url = f"/surveys/{survey.pk}/links/{link.pk}/qr/"
    svg = analyst.post(url, {"token": token.group(1), "format": "svg"})
    png = analyst.post(url, {"token": token.group(1), "format": "png"})
    wrong = analyst.post(url, {"token": "guessed", "format": "png"})

    # Then both are files of the code; a wrong token gets nothing
    assert svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content
    assert "attachment" in svg["Content-Disposition"]
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    assert wrong.status_code == 404

    # When they deactivate it
    analyst.post(f"/surveys/{survey.pk}/links/{link.pk}/deactivate/")

    # Then the link no longer accepts answers
    assert Client().get(f"/p/{token.group(1)}").status_code == 404
    assert "désactivé" in analyst.get(f"/surveys/{survey.pk}/links/").content.decode()


def test_links_are_for_analysts_and_above_of_the_survey_s_organization(
    org: Organization, other_org: Organization
) -> None:
    # Given a viewer of the organization, and an owner of another one
    survey = nps_survey(org)
    link, token = public_link_with_token(survey=survey)
    viewer = member_client(MembershipFactory.create(organization=org, role=Role.VIEWER))
    stranger = member_client(MembershipFactory.create(organization=other_org, role=Role.OWNER))
    qr = {"token": token, "format": "svg"}

    # When each tries the links page, creating a link, the QR code and deactivating
    # Then the viewer is refused, and the other organization finds nothing
    assert viewer.get(f"/surveys/{survey.pk}/links/").status_code == 403
    assert viewer.post(f"/surveys/{survey.pk}/links/{link.pk}/deactivate/").status_code == 403
    assert stranger.get(f"/surveys/{survey.pk}/links/").status_code == 404
    assert stranger.post(f"/surveys/{survey.pk}/links/", {"label": "x"}).status_code == 404
    assert stranger.post(f"/surveys/{survey.pk}/links/{link.pk}/qr/", qr).status_code == 404
    assert stranger.post(f"/surveys/{survey.pk}/links/{link.pk}/deactivate/").status_code == 404
    link.refresh_from_db()
    assert link.active
    assert PublicLink.objects.count() == 1
