"""The retention pages: statuses, churn, cohorts and revenue at stake; lost and at-risk customers by
segment; the organization's rules."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ecoute.accounts.decorators import member_required
from ecoute.accounts.tenancy import current_organization
from ecoute.lib.exports import ExportFormat
from ecoute.retention.actions import save_rules
from ecoute.retention.churn import churn_by_period, period_starts
from ecoute.retention.cohorts import cohort_retention
from ecoute.retention.figures import churn_rows, month_name, rate, trend_sentence
from ecoute.retention.forms import RetentionRulesForm
from ecoute.retention.lost_customers import figures_total, segment_figures
from ecoute.retention.queries import revenue_at_stake, scores_computed_at, status_counts, statuses_computed_at
from ecoute.retention.scores import HORIZON_PERIODS
from ecoute.retention.segment_export import export_segment
from ecoute.retention.segment_table import customer_row, filter_choices, segment_row
from ecoute.retention.segments import DIMENSION_LABELS, DIMENSIONS, RetentionSegment, dimension_from_query
from ecoute.retention.statuses import rules_of

CUSTOMERS_PER_PAGE = 50
MONTHS_SHOWN = 12
QUARTERS_SHOWN = 8


def _churn_chart(rows: list[Any], rates: list[float | None]) -> dict[str, Any]:
    return {
        "type": "line",
        "title": str(_("Churn per month")),
        "x": [row.name for row in rows],
        "series": [{"name": str(_("Churn")), "data": rates, "unit": "%"}],
        "y_min": 0,
    }


@member_required("view_results")
def retention_overview(request: HttpRequest) -> HttpResponse:
    org = current_organization(request)
    now = timezone.now()
    today = now.date()
    monthly = churn_by_period(org, period_starts(today, 1, MONTHS_SHOWN), now)
    quarterly = churn_by_period(org, period_starts(today, 3, QUARTERS_SHOWN), now)
    month_rows = churn_rows(monthly.periods, per_quarter=False)
    cohorts = cohort_retention(org, now)
    context = {
        "statuses": status_counts(org),
        "computed_at": statuses_computed_at(org),
        "at_stake": revenue_at_stake(org, now),
        "monthly": month_rows,
        "monthly_trend": trend_sentence(monthly.slope_points, per_quarter=False),
        "quarterly": churn_rows(quarterly.periods, per_quarter=True),
        "quarterly_trend": trend_sentence(quarterly.slope_points, per_quarter=True),
        "churn_chart": _churn_chart(month_rows, [p.rate.estimate for p in monthly.periods]),
        "cohort_ages": range(1, 12),
        "cohorts": [
            {
                "name": month_name(cohort.month),
                "customers": cohort.customers,
                "cells": [rate(cell) if cell else None for cell in cohort.retained],
            }
            for cohort in cohorts
        ],
    }
    return render(request, "retention/overview.html", context)


@member_required("manage_retention")
def retention_rules(request: HttpRequest) -> HttpResponse:
    form = RetentionRulesForm(request.POST or None, instance=rules_of(current_organization(request)))
    if request.method == "POST" and form.is_valid():
        save_rules(form.instance)
        messages.success(
            request, _("The retention rules are saved; statuses follow them at the next update.")
        )
        return redirect("retention:retention_rules")
    status = 400 if form.errors else 200
    return render(request, "retention/rules.html", {"form": form}, status=status)


@member_required("view_customers")
def lost_customers(request: HttpRequest) -> HttpResponse:
    """Lost and at-risk customers by segment, and the customers of the chosen one. Filters come from
    the query string; a bad one is left out and said (400), never a failure."""
    org = current_organization(request)
    currency = org.currency
    segment = RetentionSegment.from_query(request.GET)
    dimension = dimension_from_query(request.GET)
    figures = segment_figures(org, segment, dimension)
    page = Paginator(segment.customers(org), CUSTOMERS_PER_PAGE).get_page(request.GET.get("page"))
    query = segment.to_query()
    context = {
        "segment": segment,
        "description": segment.describe(currency),
        "query": query,
        "dimension": dimension,
        "dimension_label": DIMENSION_LABELS[dimension],
        "dimensions": [(key, DIMENSION_LABELS[key]) for key in DIMENSIONS],
        "filters": filter_choices(segment, currency),
        "rows": [segment_row(figure, dimension, segment, currency) for figure in figures],
        "total": segment_row(figures_total(figures), dimension, None, currency),
        "page": page,
        "customer_rows": [customer_row(customer, currency) for customer in page],
        "page_query": "&".join(part for part in (query, f"by={dimension}") if part),
        "horizon_weeks": HORIZON_PERIODS,
        "scored_at": scores_computed_at(org),
    }
    return render(request, "retention/lost_customers.html", context, status=400 if segment.problems else 200)


@member_required("view_customers")
def lost_customers_export(request: HttpRequest, file_format: str) -> HttpResponseBase:
    """The customers of the segment the page shows, as a CSV or Excel file; recorded in the audit log."""
    org = current_organization(request)
    return export_segment(request, org, RetentionSegment.from_query(request.GET), ExportFormat(file_format))
