"""A survey's results page: the invitations' funnel, the figures with their intervals, the verbatims."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from ecoute.accounts.decorators import member_required
from ecoute.accounts.tenancy import current_organization, get_for_org_or_404
from ecoute.lib.htmx import wants_fragment
from ecoute.listening.models import Survey
from ecoute.listening.responses import NpsLevel
from ecoute.listening.results import question_results, verbatims
from ecoute.listening.results_funnel import invitation_funnel, responses_by_channel


@vary_on_headers("HX-Request", "HX-History-Restore-Request")
@member_required("view_results")
def survey_results(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = get_for_org_or_404(Survey, current_organization(request), pk=survey_id)
    level = request.GET.get("level", "")
    query = request.GET.get("q", "")
    page = verbatims(survey, level=level, query=query, page=request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    context = {
        "survey": survey,
        "page": page,
        "level": level if level in NpsLevel.values else "",
        "query": query,
        "levels": NpsLevel.choices,
        "filters": filters.urlencode(),
    }
    if wants_fragment(request):
        return render(request, "listening/results_verbatims.html", context)
    context |= {
        "funnel": invitation_funnel(survey),
        "channels": responses_by_channel(survey),
        "questions": question_results(survey),
    }
    return render(request, "listening/results.html", context)
