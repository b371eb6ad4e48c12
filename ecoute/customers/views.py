"""Customer pages: overview, list, profile."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from ecoute.accounts.decorators import member_required
from ecoute.customers.forms import CustomerFilterForm
from ecoute.customers.models import Customer
from ecoute.customers.queries import (
    current_consents,
    customer_timeline,
    filter_customers,
    monthly_sales_chart,
    organization_counts,
    regions_of,
)
from ecoute.lib.htmx import wants_fragment
from ecoute.lib.tenancy import current_organization, get_for_org_or_404
from ecoute.listening.results import customer_listening
from ecoute.retention.customer_outlook import customer_outlook

PAGE_SIZE = 50


@member_required()
def overview(request: HttpRequest) -> HttpResponse:
    org = current_organization(request)
    transactions_chart, revenue_chart = monthly_sales_chart(org)
    return render(
        request,
        "customers/overview.html",
        {
            "counts": organization_counts(org),
            "transactions_chart": transactions_chart,
            "revenue_chart": revenue_chart,
        },
    )


@vary_on_headers("HX-Request", "HX-History-Restore-Request")
@member_required("view_customers")
def customer_list(request: HttpRequest) -> HttpResponse:
    org = current_organization(request)
    form = CustomerFilterForm(request.GET or None, organization=org, regions=regions_of(org))
    # A stale or odd value drops that filter alone: cleaned_data keeps the fields that are valid.
    form.is_valid()
    filters = form.cleaned_data if form.is_bound else {}
    customers = filter_customers(org, filters)
    page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "customers/_customer_rows.html" if wants_fragment(request) else "customers/customer_list.html"
    return render(request, template, {"form": form, "page": page, "query": query.urlencode()})


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
