"""Exporting a list of customers as CSV or Excel: the customer list, and any later page that lists them.

A page gives its list (an ExportedList: its queryset, already scoped to the organization and filtered,
a function making its columns, its name and its filters); `export_customer_list` records the export in
the audit log and answers with the file, or, past settings.EXPORT_STREAM_MAX_ROWS rows, has it prepared
in the background. The rows are read in chunks of the columns' fields only, so that a million
customers leave in constant memory, and the file follows the organization's language (as its pages'
dates, the rejects file and the imports do).
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ecoute.accounts.audit import record_export
from ecoute.customers.forms import CustomerFilterForm
from ecoute.customers.models import Customer, customer_display_name
from ecoute.customers.queries import filter_customers, regions_of
from ecoute.lib.exports import Column, ColumnKind, ExportFormat, export_response
from ecoute.lib.quantities import grouped

# Rows fetched from the database at a time (a server-side cursor on PostgreSQL).
ROWS_PER_FETCH = 2000


@dataclass(frozen=True)
class ListColumn:
    """A column of an exported list: how it is written, the fields it reads, and how its cell is made
    from their values (the one field's value when `cell` is None)."""

    column: Column
    fields: tuple[str, ...]
    cell: Callable[..., Any] | None = None


def customer_list_columns() -> list[ListColumn]:
    """The customer list's columns, as the page shows them (in the active language)."""
    yes, no = _("yes"), _("no")
    return [
        ListColumn(
            Column(_("Name")),
            ("first_name", "last_name", "company", "email", "external_id"),
            customer_display_name,
        ),
        ListColumn(Column(_("Company")), ("company",)),
        ListColumn(Column(_("CRM id")), ("external_id",)),
        ListColumn(Column(_("E-mail")), ("email",)),
        ListColumn(Column(_("Region")), ("region",)),
        ListColumn(Column(_("Purchases"), ColumnKind.INTEGER), ("purchases_count",)),
        ListColumn(Column(_("Last purchase"), ColumnKind.DATE), ("last_purchase_at",)),
        ListColumn(Column(_("E-mail consent")), ("email_consent",), lambda given: yes if given else no),
    ]


def _cell_of(cell: Callable[..., Any], positions: list[int]) -> Callable[[tuple[Any, ...]], Any]:
    """The cell made by `cell` from the values at `positions` of a row of fields."""
    if len(positions) == 1:
        only = positions[0]
        return lambda values: cell(values[only])
    pick = itemgetter(*positions)
    return lambda values: cell(*pick(values))


def list_rows(queryset: QuerySet[Any], columns: Sequence[ListColumn]) -> Iterator[list[Any]]:
    """The rows of the list, read `ROWS_PER_FETCH` at a time, one cell per column."""
    fields = list(dict.fromkeys(field for column in columns for field in column.fields))
    cells: list[Callable[[tuple[Any, ...]], Any]] = []
    for column in columns:
        positions = [fields.index(field) for field in column.fields]
        if column.cell is None:
            cells.append(itemgetter(positions[0]))
        else:
            cells.append(_cell_of(column.cell, positions))
    for values in queryset.values_list(*fields).iterator(chunk_size=ROWS_PER_FETCH):
        yield [cell(values) for cell in cells]


def described_filters(form: forms.Form) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """A filter form's valid, non-empty filters: their values as stored (a record's id and name), and
    as the person saw them (label, value) for the audit log."""
    stored: dict[str, Any] = {}
    shown: list[tuple[str, str]] = []
    cleaned = form.cleaned_data if form.is_bound else {}
    for name, field in form.fields.items():
        value = cleaned.get(name)
        if value in (None, ""):
            continue
        if isinstance(value, Model):
            stored[name] = {"id": value.pk, "name": str(value)}
            text = str(value)
        else:
            stored[name] = value
            choices = dict(getattr(field, "choices", None) or [])
            text = str(choices.get(value, value))
        label = field.label
        shown.append((str(label) if isinstance(label, str | Promise) else name, text))
    return stored, shown


@dataclass(frozen=True)
class ExportedList:
    """A list of customers as a page exports it: its name in the audit log ("customers"), its queryset
    (scoped to the organization and filtered), a function making its columns and one making its title
    (both called in the file's language), and its filters as stored and as the person saw them
    (described_filters gives them for a filter form)."""

    name: str
    customers: QuerySet[Any]
    columns: Callable[[], Sequence[ListColumn]]
    title: Callable[[], str]
    filters: tuple[dict[str, Any], list[tuple[str, str]]]


# Each list that exports, by name: the function giving it for an organization and the page's query
# string, which a worker calls again to prepare a large export in the background.
EXPORTED_LISTS: dict[str, str] = {
    "customers": "ecoute.customers.exports.customers_to_export",
    "lost_customers": "ecoute.retention.segment_export.lost_customers_to_export",
}


def exported_list(name: str, organization: Any, query: QueryDict) -> ExportedList:
    builder: Callable[[Any, QueryDict], ExportedList] = import_string(EXPORTED_LISTS[name])
    return builder(organization, query)


def filtered_customers(organization: Any, query: QueryDict) -> tuple[CustomerFilterForm, QuerySet[Customer]]:
    """The customer list's filter form for `query` and the customers it selects."""
    form = CustomerFilterForm(query or None, organization=organization, regions=regions_of(organization))
    # A stale or odd value drops that filter alone: cleaned_data keeps the fields that are valid.
    form.is_valid()
    filters = form.cleaned_data if form.is_bound else {}
    return form, filter_customers(organization, filters)


def customers_to_export(organization: Any, query: QueryDict) -> ExportedList:
    """The customer list as filtered and sorted by `query`."""
    form, customers = filtered_customers(organization, query)
    return ExportedList(
        "customers", customers, customer_list_columns, lambda: _("Customers"), described_filters(form)
    )


def export_customer_list(
    request: HttpRequest, exported: ExportedList, file_format: ExportFormat
) -> HttpResponseBase:
    """The list as a file, recorded in the audit log: streamed in the answer up to
    settings.EXPORT_STREAM_MAX_ROWS rows; past that, prepared in the background (see export_runs), the
    person taken to their exports' page."""
    membership = request.membership  # type: ignore[attr-defined]
    organization = membership.organization
    with translation.override(organization.language):
        chosen = exported.columns()
        heading = exported.title()
    today = timezone.localdate(timezone=ZoneInfo(organization.time_zone))
    file_name = f"{slugify(heading)}-{organization.slug}-{today.isoformat()}"
    row_count = exported.customers.count()
    if row_count > settings.EXPORT_STREAM_MAX_ROWS:
        from ecoute.customers.export_runs import ExportRequest, queue_export

        wanted = ExportRequest(exported, request.GET, file_format, heading, file_name, row_count)
        headings = [column.column.heading() for column in chosen]
        _job, queued = queue_export(membership, wanted, columns=headings)
        if queued:
            messages.info(
                request,
                ngettext(
                    "Your export of %(count)s row is being prepared: it will be listed here, ready to "
                    "download, in a few minutes.",
                    "Your export of %(count)s rows is being prepared: it will be listed here, ready to "
                    "download, in a few minutes.",
                    row_count,
                )
                % {"count": grouped(row_count)},
            )
        else:
            messages.info(request, _("This export is already being prepared: it is listed here."))
        return redirect("customers:export_list")
    stored, shown = exported.filters
    record_export(
        membership,
        exported.name,
        file_format.value,
        title=heading,
        filters=stored,
        shown_filters=shown,
        columns=[column.column.heading() for column in chosen],
        row_count=row_count,
    )
    return export_response(
        list_rows(exported.customers, chosen),
        [column.column for column in chosen],
        language=organization.language,
        file_format=file_format,
        file_name=file_name,
        title=heading,
        zone=ZoneInfo(organization.time_zone),
    )
