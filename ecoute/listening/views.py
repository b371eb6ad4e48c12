"""The listening pages: the organization's satisfaction criteria."""

from django.contrib import messages
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ecoute.accounts.decorators import member_required
from ecoute.accounts.tenancy import current_organization, get_for_org_or_404
from ecoute.listening.actions import TooManyKeyCriteriaError, save_criterion
from ecoute.listening.forms import CriterionForm, too_many_key_criteria
from ecoute.listening.models import Criterion


@member_required("view_results")
def criterion_list(request: HttpRequest) -> HttpResponse:
    org = current_organization(request)
    criteria = Criterion.objects.for_org(org)
    return render(request, "listening/criterion_list.html", {"criteria": criteria})


@member_required("manage_surveys")
def criterion_new(request: HttpRequest) -> HttpResponse:
    return _edit(request, Criterion(organization=current_organization(request)))


@member_required("manage_surveys")
def criterion_edit(request: HttpRequest, criterion_id: int) -> HttpResponse:
    return _edit(request, get_for_org_or_404(Criterion, current_organization(request), pk=criterion_id))


def _edit(request: HttpRequest, criterion: Criterion) -> HttpResponse:
    form = CriterionForm(request.POST or None, instance=criterion)
    if request.method == "POST" and form.is_valid():
        try:
            save_criterion(form.instance)
        except TooManyKeyCriteriaError:
            form.add_error("is_key", too_many_key_criteria())
        except IntegrityError:
            # Someone created a criterion with this code between the form's check and the save.
            form.add_error(
                "code" if "code" in form.fields else None, _("Another criterion already has this code.")
            )
        else:
            messages.success(request, _("The criterion “%(name)s” is saved.") % {"name": criterion.name})
            return redirect("listening:criterion_list")
    status = 400 if form.errors else 200
    return render(
        request, "listening/criterion_form.html", {"form": form, "criterion": criterion}, status=status
    )
