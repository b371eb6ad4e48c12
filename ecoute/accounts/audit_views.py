"""The audit log's page: the organization's recent exports, for the people who manage its members."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ecoute.accounts.audit import AuditEvent
from ecoute.accounts.decorators import member_required
from ecoute.accounts.tenancy import current_organization

PAGE_SIZE = 50


@member_required("manage_members")
def audit_log(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.filter(organization=current_organization(request)).order_by(
        "-created_at", "-id"
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/audit_log.html", {"page": page})
