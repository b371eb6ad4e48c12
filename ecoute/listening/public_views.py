"""The pages customers answer on: `/s/<token>` for an invitation, `/p/<token>` for a public link.

One question per screen, which suits a phone best: each step posts its answer, which is saved at
once, so that a respondent who leaves and comes back resumes where they stopped. The pages know no
organization beyond what the token gives, and every link that cannot be answered (unknown, expired,
used, revoked) gets the same 404 page, so a token tells nothing about the others.
"""

from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ecoute.accounts.login_limits import client_network
from ecoute.lib.rate_limits import count_request
from ecoute.listening.answering import (
    find_invitation,
    find_public_link,
    mark_opened,
    of_token,
    record_invitation_answer,
    record_public_answer,
    response_of,
)
from ecoute.listening.flow import answer_language, read_answer, thanks_text
from ecoute.listening.models import Invitation, Question, QuestionType, Response
from ecoute.listening.question_pages import Place, place_of, question_context

ANSWER_FIELDS = ("score", "importance", "text")
PUBLIC_COOKIE_SALT = "listening.public-response"
PUBLIC_COOKIE_AGE = 400 * 24 * 3600  # browsers keep a cookie at most about 400 days
DONE = "done"
ONE_CLICK_SCORES = frozenset(str(score) for score in range(11))


def link_not_found(request: HttpRequest) -> HttpResponse:
    """The one answer for every link that cannot be answered."""
    return render(request, "listening/answer/not_found.html", status=404)


def _form_data(request: HttpRequest) -> dict[str, Any]:
    data: dict[str, Any] = {name: request.POST.get(name) for name in ANSWER_FIELDS}
    data["choices"] = request.POST.getlist("choices")
    return data


def _thanks(request: HttpRequest, response: Response, language: str, *, again: bool = False) -> HttpResponse:
    """The thank-you page: the survey's text for the respondent's level. It holds no form and nothing of
    the request, so it is rendered without the context processors (CSRF token, user, messages…)."""
    with translation.override(language):
        context = {
            "survey": response.survey,
            "language": language,
            "text": thanks_text(response.survey, response.nps_level, language, response.customer),
            "again": again,
        }
        return HttpResponse(render_to_string("listening/answer/thanks.html", context))


def _page(
    request: HttpRequest,
    place: Place,
    *,
    wanted: str = "",
    preselected: int | None = None,
    posted: tuple[Question, dict[str, Any], str] | None = None,
) -> HttpResponse:
    with translation.override(place.language):
        context = question_context(place, wanted, preselected=preselected, posted=posted)
        context["action"] = request.path if preselected is None else request.path.rsplit("/", 1)[0]
        return render(request, "listening/answer/question.html", context, status=400 if posted else 200)


# --- invitations -----------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_survey(request: HttpRequest, token: str) -> HttpResponse:
    invitation = find_invitation(token)
    if invitation is None:
        if request.method == "POST" and (done := _completed_response(token)) is not None:
            return _thanks(request, done, done.language, again=True)  # a second submit of the last step
        return link_not_found(request)
    place = _invitation_place(invitation)
    if request.method == "GET":
        mark_opened(invitation)
        return _page(request, place, wanted=request.GET.get("q", ""))
    question = _posted_question(request, place.visible)
    if question is None:
        return redirect(request.path)
    read = read_answer(question, _form_data(request))
    if read.error:
        return _page(request, place, posted=(question, _form_data(request), read.error))
    recorded = record_invitation_answer(invitation, question, read.value, language=place.language)
    if recorded.completed:
        return _thanks(request, recorded.response, place.language)
    return redirect(request.path)


def _invitation_place(invitation: Invitation) -> Place:
    language = answer_language(invitation.survey, invitation.organization, invitation.customer)
    return place_of(invitation.survey, invitation.customer, response_of(invitation), language)


@never_cache
@require_http_methods(["GET"])
def invitation_one_click(request: HttpRequest, token: str, score: str) -> HttpResponse:
    """The score clicked in the e-mail, preselected on the survey's NPS question.

    A GET records nothing: mail scanners and link previews open every link of a message, so the
    eleven links would all "vote". The score is recorded by the first POST, when the respondent
    confirms it (or changes it) with the button.
    """
    invitation = find_invitation(token)
    if invitation is None or score not in ONE_CLICK_SCORES:
        return link_not_found(request)
    place = _invitation_place(invitation)
    nps = next((question for question in place.visible if question.type == QuestionType.NPS), None)
    mark_opened(invitation)
    if nps is None:
        return _page(request, place)
    return _page(request, place, wanted=nps.code, preselected=int(score))


def _completed_response(token: str) -> Response | None:
    return (
        Response.objects.filter(of_token(token, "invitation__"), completed_at__isnull=False)
        .select_related("survey")
        .first()
    )


def _posted_question(request: HttpRequest, visible: list[Question]) -> Question | None:
    code = request.POST.get("question", "")
    return next((question for question in visible if question.code == code), None)


# --- public links ------------------------------------------------------------------------------------


def _cookie_name(survey_id: int) -> str:
    return f"ecoute_survey_{survey_id}"


def _public_state(request: HttpRequest, survey_id: int) -> str:
    """What this browser did with the survey: "" nothing, a response id in progress, or "done"."""
    try:
        return str(request.get_signed_cookie(_cookie_name(survey_id), default="", salt=PUBLIC_COOKIE_SALT))
    except signing.BadSignature:
        return ""


def _remember(page: HttpResponse, survey_id: int, state: str) -> HttpResponse:
    """The duplicate guard: a signed cookie per survey, so that one browser answers once.

    It stops the respondent who taps twice, reloads, or scans the receipt again; it does not stop
    someone who clears their cookies, uses a private window or another device — the rate limit per
    address bounds what that person can add.
    """
    page.set_signed_cookie(
        _cookie_name(survey_id),
        state,
        salt=PUBLIC_COOKIE_SALT,
        max_age=PUBLIC_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return page


@never_cache
@require_http_methods(["GET", "POST"])
def public_survey(request: HttpRequest, token: str) -> HttpResponse:
    link = find_public_link(token)
    if link is None:
        return link_not_found(request)
    survey = link.survey
    language = _browser_language(request, survey.languages, link.organization.language)
    state = _public_state(request, survey.pk)
    if state == DONE:
        with translation.override(language):
            return render(request, "listening/answer/already.html", {"survey": survey, "language": language})
    response = (
        Response.objects.filter(pk=int(state), public_link__survey=survey, completed_at__isnull=True).first()
        if state.isdigit()
        else None
    )
    place = place_of(survey, None, response, language)
    if request.method == "GET":
        return _page(request, place, wanted=request.GET.get("q", ""))
    question = _posted_question(request, place.visible)
    if question is None:
        return redirect(request.path)
    read = read_answer(question, _form_data(request))
    if read.error:
        return _page(request, place, posted=(question, _form_data(request), read.error))
    if response is None:
        verdict = count_request(
            "public_response",
            client_network(request),
            limit=settings.PUBLIC_RESPONSE_RATE_LIMIT,
            window=settings.PUBLIC_RESPONSE_RATE_WINDOW,
        )
        if not verdict.allowed:
            with translation.override(language):
                page_429 = render(
                    request, "listening/answer/too_many.html", {"language": language}, status=429
                )
            page_429["Retry-After"] = str(verdict.retry_after)
            return page_429
    recorded = record_public_answer(link, response, question, read.value, language=language)
    if recorded.completed:
        return _remember(_thanks(request, recorded.response, language), survey.pk, DONE)
    return _remember(redirect(request.path), survey.pk, str(recorded.response.pk))


def _browser_language(request: HttpRequest, offered: list[str], fallback: str) -> str:
    wanted = translation.get_language_from_request(request)[:2]
    if wanted in (offered or []):
        return wanted
    return fallback if fallback in (offered or [fallback]) else (offered or ["fr"])[0]
