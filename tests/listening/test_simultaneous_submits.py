"""Fifty simultaneous submissions of one invitation store one response, and every sender is thanked.

Real concurrency: threads against the product served by gunicorn, on the test database."""

import http.cookiejar
import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from ecoute.accounts.models import ApiKey, Organization
from ecoute.listening.models import Answer, Invitation, Response
from tests.factories import CustomerFactory, SurveyFactory
from tests.listening.links import invitation_with_token, question
from tests.listening.live_site import served_site

pytestmark = pytest.mark.django_db(transaction=True)

SIMULTANEOUS = 50


def test_fifty_simultaneous_submissions_of_one_invitation_store_one_response(org: Organization) -> None:
    # Given a one-question survey, and a customer who opened its link in one browser
    survey = SurveyFactory.create(organization=org, status="active")
    question(survey, "recommend", "nps", "Recommanderiez-vous la Maison ?", "Would you recommend us?")
    invitation, token = invitation_with_token(
        survey=survey, customer=CustomerFactory.create(organization=org, language="fr")
    )
    with served_site() as site:
        cookies = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
        with browser.open(f"{site}/s/{token}", timeout=30) as page:
            html = page.read().decode()
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert csrf is not None

        # When the score is sent fifty times at the same moment
        start = threading.Barrier(SIMULTANEOUS)

        def submit(score: int) -> tuple[int, str]:
            form = {"csrfmiddlewaretoken": csrf.group(1), "question": "recommend", "score": str(score % 11)}
            start.wait()
            try:
                with browser.open(f"{site}/s/{token}", urllib.parse.urlencode(form).encode(), 60) as r:
                    return r.status, r.read().decode()
            except urllib.error.HTTPError as error:
                return error.code, error.read().decode(errors="replace")

        with ThreadPoolExecutor(SIMULTANEOUS) as pool:
            answers = list(pool.map(submit, range(SIMULTANEOUS)))

    # Then one response holds one answer, and every sender saw the thank-you page, none an error
    assert [status for status, _body in answers] == [200] * SIMULTANEOUS
    assert all("Merci" in body for _status, body in answers)
    assert Response.objects.filter(invitation=invitation).count() == 1
    assert Answer.objects.filter(response__invitation=invitation).count() == 1
    invitation.refresh_from_db()
    assert invitation.status == "completed"
    response = Response.objects.get(invitation=invitation)
    assert response.nps_level != ""
    assert Invitation.objects.filter(pk=invitation.pk, response__completed_at__isnull=False).exists()


def test_the_api_and_the_web_sending_together_still_store_one_response(org: Organization) -> None:
    # Given an invitation open in a browser, and an API key
    survey = SurveyFactory.create(organization=org, status="active")
    question(survey, "recommend", "nps", "Recommanderiez-vous la Maison ?", "Would you recommend us?")
    invitation, token = invitation_with_token(
        survey=survey, customer=CustomerFactory.create(organization=org, language="fr")
    )
    _key, secret = ApiKey.issue(org, "CRM")
    with served_site() as site:
        cookies = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
        with browser.open(f"{site}/s/{token}", timeout=30) as page:
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
        assert csrf is not None
        start = threading.Barrier(SIMULTANEOUS)

        # When 25 form submissions and 25 API calls (each with its own Idempotency-Key) go at once
        def send(index: int) -> tuple[str, int]:
            if index % 2:
                form = {"csrfmiddlewaretoken": csrf.group(1), "question": "recommend", "score": "9"}
                request = urllib.request.Request(  # noqa: S310 - a local http:// address
                    f"{site}/s/{token}", urllib.parse.urlencode(form).encode()
                )
                opener = browser
            else:
                body = {"invitation": invitation.pk, "answers": [{"question": "recommend", "score": 2}]}
                request = urllib.request.Request(  # noqa: S310 - a local http:// address
                    f"{site}/api/v1/responses",
                    json.dumps(body).encode(),
                    headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json",
                             "Idempotency-Key": f"call-{index}"},
                )  # fmt: skip
                opener = urllib.request.build_opener()
            start.wait()
            try:
                with opener.open(request, timeout=60) as answer:
                    return ("web" if index % 2 else "api"), answer.status
            except urllib.error.HTTPError as error:
                return ("web" if index % 2 else "api"), error.code

        with ThreadPoolExecutor(SIMULTANEOUS) as pool:
            answers = list(pool.map(send, range(SIMULTANEOUS)))

    # Then one response is stored; the web always thanks, the API accepts at most one call
    assert Response.objects.filter(invitation=invitation).count() == 1
    assert {status for channel, status in answers if channel == "web"} == {200}
    api_statuses = [status for channel, status in answers if channel == "api"]
    assert set(api_statuses) <= {201, 409}
    assert api_statuses.count(201) == int(Response.objects.get().channel == "api")
