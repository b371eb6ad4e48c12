"""The page of a survey's public links: list, create (its address and QR code shown once), deactivate."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ecoute.accounts.decorators import member_required
from ecoute.accounts.tenancy import current_organization, get_for_org_or_404
from ecoute.listening.models import PublicLink, Survey
from ecoute.listening.public_links import QR_FORMATS, create_public_link, holds_token, qr_code, qr_preview


class PublicLinkForm(forms.Form):
    label = forms.CharField(
        label=gettext_lazy("Label"),
        max_length=100,
        help_text=gettext_lazy("Where the link is shown, e.g. “Receipt, Lyon store” or “Website footer”."),
    )


def _public_url(token: str) -> str:
    """The address customers will follow: the site's public one (SITE_URL), not the host the member
    happens to use (an internal name would end up printed on receipts)."""
    return settings.SITE_URL + reverse("listening:public_answer", args=[token])


@never_cache
@member_required("manage_surveys")
def public_links(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = get_for_org_or_404(Survey, current_organization(request), pk=survey_id)
    form = PublicLinkForm(request.POST or None)
    new_link = None
    if request.method == "POST" and form.is_valid():
        link, token = create_public_link(survey, form.cleaned_data["label"])
        # The token is in this answer only (never cached), never in the session or the database.
        url = _public_url(token)
        new_link = {"link": link, "token": token, "url": url, "preview": qr_preview(url)}
        form = PublicLinkForm()
    context = {
        "survey": survey,
        "links": _links_with_counts(survey),
        "form": form,
        "new_link": new_link,
    }
    return render(request, "listening/public_links.html", context, status=400 if form.errors else 200)


def _links_with_counts(survey: Survey) -> list[PublicLink]:
    return list(
        PublicLink.objects.filter(survey=survey).annotate(
            completed=Count("responses", filter=Q(responses__completed_at__isnull=False))
        )
    )


@require_POST
@member_required("manage_surveys")
def public_link_deactivate(request: HttpRequest, survey_id: int, link_id: int) -> HttpResponse:
    link = get_for_org_or_404(PublicLink, current_organization(request), pk=link_id, survey_id=survey_id)
    if link.active:
        link.active = False
        link.save(update_fields=["active"])
        notice = _("The link “%(label)s” no longer accepts answers.") % {"label": link.label}
        messages.success(request, notice)
    return redirect("listening:public_links", survey_id=survey_id)


@require_POST
@member_required("manage_surveys")
def public_link_qr(request: HttpRequest, survey_id: int, link_id: int) -> HttpResponse:
    """The QR code of a link, downloaded with the token shown when it was made (sent in the body, so
    that it stays out of addresses and logs)."""
    link = get_for_org_or_404(PublicLink, current_organization(request), pk=link_id, survey_id=survey_id)
    token, kind = request.POST.get("token", ""), request.POST.get("format", "")
    if kind not in QR_FORMATS or not holds_token(link, token):
        raise Http404
    answer = HttpResponse(qr_code(_public_url(token), kind), content_type=QR_FORMATS[kind])
    answer["Content-Disposition"] = f'attachment; filename="qr-{link.pk}.{kind}"'
    answer["Cache-Control"] = "no-store"
    return answer
