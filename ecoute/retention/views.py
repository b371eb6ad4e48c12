"""The retention pages: churn, cohorts and revenue at stake; the organization's rules."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ecoute.accounts.decorators import member_required
from ecoute.lib.tenancy import current_organization
from ecoute.retention.actions import save_rules
from ecoute.retention.forms import RetentionRulesForm
from ecoute.retention.queries import status_counts, statuses_computed_at
from ecoute.retention.statuses import rules_of


@member_required("view_results")
def retention_overview(request: HttpRequest) -> HttpResponse:
    org = current_organization(request)
    context = {
        "statuses": status_counts(org),
        "computed_at": statuses_computed_at(org),
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
