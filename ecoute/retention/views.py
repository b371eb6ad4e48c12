"""The retention pages: statuses, churn, cohorts and revenue at stake; the organization's rules."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ecoute.accounts.decorators import member_required
from ecoute.lib.tenancy import current_organization
from ecoute.retention.actions import save_rules
from ecoute.retention.churn import churn_by_period, period_starts
from ecoute.retention.cohorts import cohort_retention
from ecoute.retention.figures import churn_rows, month_name, rate, trend_sentence
from ecoute.retention.forms import RetentionRulesForm
from ecoute.retention.queries import revenue_at_stake, status_counts, statuses_computed_at
from ecoute.retention.statuses import rules_of

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
