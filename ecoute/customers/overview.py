"""The overview's figures: who the customers are now, and what they bought, contacted and did over the
months the reader chose."""

from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from ecoute.accounts.models import Organization
from ecoute.customers.models import PURCHASE, Customer, Interaction, LoyaltyAct, Transaction
from ecoute.customers.periods import MonthSpan, month_label


def main_currency(organization: Organization) -> str:
    """The currency most sales are in: revenue figures add up amounts of that currency only."""
    row = (
        Transaction.objects.for_org(organization)
        .values("currency")
        .annotate(sales=Count("id"))
        .order_by("-sales", "currency")
        .first()
    )
    return str(row["currency"]) if row else "EUR"


def first_sale_day(organization: Organization) -> date | None:
    """The day of the organization's first sale, in its time zone (where "all time" starts)."""
    first = Transaction.objects.for_org(organization).aggregate(first=Min("occurred_at"))["first"]
    return first.astimezone(ZoneInfo(organization.time_zone)).date() if first else None


def organization_counts(organization: Organization, span: MonthSpan) -> dict[str, Any]:
    """Customers and consents as they are now; purchases, revenue (refunds netted), support contacts and
    acts of loyalty over `span`."""
    zone = ZoneInfo(organization.time_zone)
    within = {"occurred_at__gte": span.start(zone), "occurred_at__lt": span.end(zone)}
    customers = Customer.objects.for_org(organization)
    currency = main_currency(organization)
    sales = (
        Transaction.objects.for_org(organization)
        .filter(**within)
        .aggregate(
            count=Count("id", filter=PURCHASE),
            revenue=Sum("amount", filter=Q(currency=currency)),
            in_other_currencies=Count("id", filter=~Q(currency=currency)),
        )
    )
    return {
        "customers": customers.count(),
        "with_consent": customers.filter(email_consent=True).count(),
        "buyers": customers.filter(purchases_count__gt=0).count(),
        "purchases": sales["count"],
        "revenue": sales["revenue"] or Decimal(0),
        "currency": currency,
        "sales_in_other_currencies": sales["in_other_currencies"],
        "interactions": Interaction.objects.for_org(organization).filter(**within).count(),
        "loyalty_acts": LoyaltyAct.objects.for_org(organization).loyal().filter(**within).count(),
    }


def monthly_sales_chart(organization: Organization, span: MonthSpan) -> tuple[dict[str, Any], dict[str, Any]]:
    """Purchases and revenue (refunds netted) per month of `span`, in the organization's time zone."""
    zone = ZoneInfo(organization.time_zone)
    currency = main_currency(organization)
    rows = (
        Transaction.objects.for_org(organization)
        .filter(occurred_at__gte=span.start(zone), occurred_at__lt=span.end(zone))
        .annotate(month=TruncMonth("occurred_at", tzinfo=zone))
        .values("month")
        .annotate(count=Count("id", filter=PURCHASE), revenue=Sum("amount", filter=Q(currency=currency)))
        .order_by("month")
    )
    by_month = {row["month"].date() if hasattr(row["month"], "date") else row["month"]: row for row in rows}
    labels, counts, revenue = [], [], []
    for month in span.months:
        row = by_month.get(month)
        labels.append(month_label(month))
        counts.append(row["count"] if row else 0)
        revenue.append(float(row["revenue"] or 0) if row else 0.0)
    transactions = {
        "type": "bar",
        "title": _("Purchases per month"),
        "x": labels,
        "series": [{"name": _("Purchases"), "data": counts}],
    }
    revenue_chart = {
        "type": "line",
        "title": _("Revenue per month"),
        "x": labels,
        "series": [{"name": _("Revenue"), "data": revenue, "unit": "€" if currency == "EUR" else currency}],
    }
    return transactions, revenue_chart
