"""Customer pages: overview, list, profile."""

from zoneinfo import ZoneInfo

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.vary import vary_on_headers

from ecoute.accounts.decorators import member_required
from ecoute.accounts.tenancy import current_organization, get_for_org_or_404
from ecoute.customers.exports import customers_to_export, export_customer_list, filtered_customers
from ecoute.customers.forms import CustomerFilterForm
from ecoute.customers.models import Customer
from ecoute.customers.overview import first_sale_day, monthly_sales_chart, organization_counts
from ecoute.customers.periods import PeriodForm
from ecoute.customers.queries import current_consents, customer_timeline
from ecoute.lib.exports import ExportFormat
from ecoute.lib.htmx import wants_fragment
from ecoute.listening.results import customer_listening
from ecoute.retention.customer_outlook import customer_outlook

PAGE_SIZE = 50


@member_required()
def overview(request: HttpRequest) -> HttpResponse:
    org = current_organization(request)
    period = PeriodForm(request.GET or None)
    today = timezone.now().astimezone(ZoneInfo(org.time_zone)).date()
    span, understood = period.span(today, first_sale_day(org))
    transactions_chart, revenue_chart = monthly_sales_chart(org, span)
    return render(
        request,
        "customers/overview.html",
        {
            "counts": organization_counts(org, span),
            "period": period,
            "span": span,
            "period_understood": understood,
            "transactions_chart": transactions_chart,
            "revenue_chart": revenue_chart,
        },
    )


def _filtered_customers(request: HttpRequest) -> tuple[CustomerFilterForm, QuerySet[Customer]]:
    """The list's filter form and the customers it selects."""
    return filtered_customers(current_organization(request), request.GET)


@vary_on_headers("HX-Request", "HX-History-Restore-Request")
@member_required("view_customers")
def customer_list(request: HttpRequest) -> HttpResponse:
    form, customers = _filtered_customers(request)
    page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "customers/_customer_rows.html" if wants_fragment(request) else "customers/customer_list.html"
    return render(request, template, {"form": form, "page": page, "query": query.urlencode()})


@member_required("view_customers")
def customer_export(request: HttpRequest, file_format: str) -> HttpResponseBase:
    """The list as filtered on its page, as a CSV or Excel file; recorded in the audit log."""
    exported = customers_to_export(current_organization(request), request.GET)
    return export_customer_list(request, exported, ExportFormat(file_format))


@member_required("view_customers")
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = get_for_org_or_404(Customer, current_organization(request), pk=customer_id)
    return render(
        request,
        "customers/customer_detail.html",
        {
            "customer": customer,
            "current_consents": current_consents(customer),
            "consents": customer.consents.all()[:200],
            "timeline": customer_timeline(customer),
            "tags": customer.tags.all(),
            "listening": customer_listening(customer),
            "outlook": customer_outlook(customer),
        },
    )
