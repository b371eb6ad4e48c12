"""The campaign pages: the list, the form with its live audience size and power, the draft and its
launch, the report, and the call list agents work."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecoute.accounts.decorators import member_required
from ecoute.accounts.tenancy import current_organization, get_for_org_or_404
from ecoute.lib.quantities import grouped
from ecoute.retention.actions import launch_campaign, record_call_outcome, save_campaign_draft
from ecoute.retention.call_list import call_list, may_call
from ecoute.retention.campaign_audience import CampaignAudience
from ecoute.retention.campaign_forms import CallOutcomeForm, CampaignForm, audience_from, audience_initial
from ecoute.retention.campaign_launch import CampaignLaunchError
from ecoute.retention.campaign_models import Campaign, CampaignGroup, CampaignMember, CampaignStatus
from ecoute.retention.campaign_report import power_context, report_context
from ecoute.retention.figures import percent
from ecoute.retention.segments import RetentionSegment

CALLS_PER_PAGE = 50


@member_required("view_results")
def campaign_list(request: HttpRequest) -> HttpResponse:
    org, now = current_organization(request), timezone.now()
    campaigns = Campaign.objects.for_org(org)
    rows = [{"campaign": c, "status": c.status_at(now), "label": c.status_label(now)} for c in campaigns]
    return render(request, "retention/campaign_list.html", {"rows": rows})


@member_required("manage_campaigns")
def campaign_create(request: HttpRequest) -> HttpResponse:
    org = current_organization(request)
    form = CampaignForm(request.POST or None, organization=org)
    # Started from the lost customers page, the page's segment (its query string) is the audience.
    started_from = CampaignAudience(RetentionSegment.from_query(request.GET))
    if not form.is_bound:
        form.initial.update(audience_initial(started_from))
    if request.method == "POST" and form.is_valid():
        form.instance.created_by = request.user  # type: ignore[assignment]
        try:
            with transaction.atomic():
                campaign = form.save()
        except IntegrityError:  # the same name saved at the same moment by someone else
            form.add_error("name", _("A campaign of this name exists already: choose another name."))
        else:
            messages.success(request, _("The campaign is saved as a draft: check its size, then launch it."))
            return redirect("retention:campaign_detail", campaign_id=campaign.pk)
    audience = form.audience() if form.is_bound and form.is_valid() else started_from
    # A filter of the page's query string that does not read is said, not silently widened to "any".
    problems = () if form.is_bound else started_from.segment.problems
    context = {
        "form": form,
        "problems": problems,
        **power_context(org, audience, form.initial.get("control_share")),
    }
    bad = form.errors or problems
    return render(request, "retention/campaign_form.html", context, status=400 if bad else 200)


@member_required("manage_campaigns")
def campaign_edit(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """A draft's audience, actions and texts changed; a launched campaign is what it was launched as."""
    org = current_organization(request)
    campaign = get_for_org_or_404(Campaign, org, pk=campaign_id)
    if campaign.status != CampaignStatus.DRAFT:
        messages.error(request, _("This campaign is launched: it can no longer be changed."))
        return redirect("retention:campaign_detail", campaign_id=campaign.pk)
    form = CampaignForm(request.POST or None, instance=campaign, organization=org)
    if request.method == "POST" and form.is_valid():
        try:
            save_campaign_draft(form)
        except CampaignLaunchError as error:
            messages.error(request, str(error))
        except IntegrityError:
            form.add_error("name", _("A campaign of this name exists already: choose another name."))
        else:
            messages.success(request, _("The draft is saved."))
        if not form.errors:
            return redirect("retention:campaign_detail", campaign_id=campaign.pk)
    audience = (
        form.audience()
        if form.is_bound and form.is_valid()
        else CampaignAudience.from_json(campaign.audience)
    )
    context = {
        "form": form,
        "campaign": campaign,
        **power_context(org, audience, str(form["control_share"].value()).replace(",", ".")),
    }
    return render(request, "retention/campaign_form.html", context, status=400 if form.errors else 200)


@member_required("manage_campaigns")
def campaign_size(request: HttpRequest) -> HttpResponse:
    """The audience's size and the power for the filters being chosen (htmx, as the form changes)."""
    org = current_organization(request)
    statuses = [s for s in request.GET.getlist("statuses") if s]
    try:
        audience = audience_from(
            statuses,
            request.GET.get("store", ""),
            request.GET.get("region", ""),
            request.GET.get("narrowing", ""),
        )
    except ValueError as error:
        return render(request, "retention/_campaign_size.html", {"problem": str(error)}, status=400)
    share = request.GET.get("control_share", "").replace(",", ".")
    return render(request, "retention/_campaign_size.html", power_context(org, audience, share))


@member_required("view_results")
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    org, now = current_organization(request), timezone.now()
    campaign = get_for_org_or_404(Campaign, org, pk=campaign_id)
    context: dict[str, Any] = {
        "campaign": campaign,
        "status": campaign.status_label(now),
        "control_percent": percent(float(campaign.control_share) * 100),
    }
    if campaign.status == CampaignStatus.DRAFT:
        audience = CampaignAudience.from_json(campaign.audience)
        context |= power_context(org, audience, campaign.control_share)
    else:
        context |= report_context(campaign, now)
    return render(request, "retention/campaign_detail.html", context)


@require_POST
@member_required("manage_campaigns")
def campaign_launch(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_for_org_or_404(Campaign, current_organization(request), pk=campaign_id)
    try:
        report = launch_campaign(campaign, request.user)  # type: ignore[arg-type]
    except CampaignLaunchError as error:
        messages.error(request, str(error))
        return redirect("retention:campaign_detail", campaign_id=campaign.pk)
    messages.success(
        request,
        _("Launched. Campaign group: %(treatment)s; control group: %(control)s; e-mails queued: %(emails)s.")
        % {
            "treatment": grouped(report.treatment),
            "control": grouped(report.control),
            "emails": grouped(report.emails_queued),
        },
    )
    return redirect("retention:campaign_detail", campaign_id=campaign.pk)


@member_required("work_calls")
def campaign_calls(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_for_org_or_404(Campaign, current_organization(request), pk=campaign_id)
    page = Paginator(call_list(campaign), CALLS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {"member": m, "form": CallOutcomeForm(initial={"outcome": m.outcome}), "may_call": may_call(m)}
        for m in page
    ]
    context = {"campaign": campaign, "page": page, "rows": rows, "launched": campaign.launched_at is not None}
    return render(request, "retention/campaign_calls.html", context)


@require_POST
@member_required("work_calls")
def campaign_call_outcome(request: HttpRequest, campaign_id: int, member_id: int) -> HttpResponse:
    org = current_organization(request)
    campaign = get_for_org_or_404(Campaign, org, pk=campaign_id)
    member = get_for_org_or_404(
        CampaignMember, org, pk=member_id, campaign=campaign, group=CampaignGroup.TREATMENT
    )
    form = CallOutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the outcome of the call."))
        return redirect("retention:campaign_calls", campaign_id=campaign.pk)
    outcome, note = form.cleaned_data["outcome"], form.cleaned_data["note"]
    record_call_outcome(member, outcome, note, request.user)  # type: ignore[arg-type]
    messages.success(request, _("Call to %(name)s recorded.") % {"name": member.customer.display_name})
    return redirect("retention:campaign_calls", campaign_id=campaign.pk)
