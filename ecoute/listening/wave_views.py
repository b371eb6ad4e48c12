"""Putting a survey to work: activating it (with the active surveys its audience overlaps), and
planning a wave with its preview (who will be invited, who skipped and why)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from ecoute.accounts.decorators import member_required
from ecoute.accounts.tenancy import current_organization, get_for_org_or_404
from ecoute.listening.audiences import AudienceError, read_audience
from ecoute.listening.contact_policy import AlwaysQuietError
from ecoute.listening.models import SkipReason, Survey, SurveyStatus
from ecoute.listening.planning import INVITED, preview
from ecoute.listening.queries import audience_overlaps
from ecoute.listening.wave_actions import activate_survey, invite


def _audience_problems(survey: Survey) -> list[str]:
    try:
        read_audience(survey.audience, survey.kind)
    except AudienceError as error:
        return error.problems
    return []


@member_required("manage_surveys")
@require_http_methods(["GET", "POST"])
def survey_activate(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = get_for_org_or_404(Survey, current_organization(request), pk=survey_id)
    problems = _audience_problems(survey)
    if request.method == "POST" and not problems and survey.status != SurveyStatus.ACTIVE:
        activate_survey(survey)
        messages.success(request, _("The survey “%(name)s” is active.") % {"name": survey.name})
        return redirect("listening:survey_detail", survey_id=survey.pk)
    overlaps = [] if problems else audience_overlaps(survey)
    context = {"survey": survey, "problems": problems, "overlaps": overlaps}
    return render(request, "listening/survey_activate.html", context, status=422 if problems else 200)


@member_required("manage_surveys")
@require_http_methods(["GET", "POST"])
def survey_plan(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = get_for_org_or_404(Survey, current_organization(request), pk=survey_id)
    problems = _audience_problems(survey)
    if problems:
        return render(
            request, "listening/survey_plan.html", {"survey": survey, "problems": problems}, status=422
        )
    try:
        if request.method == "POST" and survey.status == SurveyStatus.ACTIVE:
            planned = invite(survey)
            messages.success(request, _invited_message(planned.invited, sum(planned.skipped.values())))
            return redirect("listening:survey_detail", survey_id=survey.pk)
        seen = preview(survey)
    except AlwaysQuietError:
        problems = [_("The contact policy makes every day quiet: nothing can be sent.")]
        return render(
            request, "listening/survey_plan.html", {"survey": survey, "problems": problems}, status=422
        )
    reasons = [
        {"code": code, "label": SkipReason(code).label, "count": count, "sample": seen.samples.get(code, [])}
        for code, count in sorted(seen.skipped.items(), key=lambda item: -item[1])
    ]
    context = {
        "survey": survey,
        "preview": seen,
        "reasons": reasons,
        "invited_sample": seen.samples.get(INVITED, []),
    }
    return render(request, "listening/survey_plan.html", context)


def _invited_message(invited: int, skipped: int) -> str:
    return (
        ngettext("%(count)s customer invited", "%(count)s customers invited", invited) % {"count": invited}
        + ", "
        + ngettext("%(count)s skipped", "%(count)s skipped", skipped) % {"count": skipped}
        + "."
    )
