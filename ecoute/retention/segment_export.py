"""A segment of lost and at-risk customers as a file for a mailing tool: the customer list's columns,
then what the page says of each (status, store of the last purchase, spend, chance still active,
value with its interval)."""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from ecoute.accounts.models import Organization
from ecoute.customers.exports import ExportedList, ListColumn, customer_list_columns, export_customer_list
from ecoute.lib.exports import Column, ColumnKind, ExportFormat
from ecoute.retention.models import ActivityStatus
from ecoute.retention.segments import RetentionSegment


def _status_label(status: str | None) -> str:
    return capfirst(str(ActivityStatus(status).label)) if status else ""


def lost_customer_columns(currency: str) -> Callable[[], Sequence[ListColumn]]:
    def columns() -> list[ListColumn]:
        def money(header: str, field: str) -> ListColumn:
            return ListColumn(Column(header, ColumnKind.MONEY, currency=currency), (field,))

        return [
            *customer_list_columns(),
            ListColumn(Column(_("Status")), ("slipping_status",), _status_label),
            ListColumn(Column(_("Store of the last purchase")), ("last_store",)),
            money(_("Spent in their last year"), "yearly_revenue"),
            ListColumn(Column(_("Chance still active"), ColumnKind.DECIMAL, decimals=3), ("p_alive",)),
            money(_("Lifetime value"), "clv"),
            money(_("Lifetime value, low"), "clv_low"),
            money(_("Lifetime value, high"), "clv_high"),
            money(_("Value had they stayed"), "value_stayed"),
        ]

    return columns


def segment_to_export(organization: Organization, segment: RetentionSegment) -> ExportedList:
    """The segment's customers, as the page lists them."""
    return ExportedList(
        "lost_customers",
        segment.customers(organization),
        lost_customer_columns(organization.currency),
        lambda: _("Lost and at-risk customers"),
        (dict(segment.to_json()), [(_("Segment"), segment.describe(organization.currency))]),
    )


def lost_customers_to_export(organization: Organization, query: Mapping[str, Any]) -> ExportedList:
    """The segment `query` asks for (the page's query string, as a worker finds it stored)."""
    return segment_to_export(organization, RetentionSegment.from_query(query))


def export_segment(
    request: HttpRequest, organization: Organization, segment: RetentionSegment, file_format: ExportFormat
) -> HttpResponseBase:
    """The segment's customers as a CSV or Excel file, recorded in the audit log (prepared in the
    background from the request's query string past EXPORT_STREAM_MAX_ROWS rows)."""
    return export_customer_list(request, segment_to_export(organization, segment), file_format)
