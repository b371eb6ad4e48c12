"""API for customer data: list and get customers, bulk upserts, consent appends.

Writes run through the importer's pipeline, so the API validates and answers exactly like a file
import: per record, the field, the value and the reason.
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status

from ecoute.customers.importing.pipeline import ImportRequest, run_import
from ecoute.customers.importing.problems import REASONS, ImportFileError
from ecoute.customers.models import Customer
from ecoute.customers.queries import filter_customers
from ecoute.lib.idempotency import idempotent
from ecoute.lib.tenancy import current_organization, get_for_org_or_404

router = Router(tags=["customers"])

MAX_RECORDS = 10_000
NOTHING_WRITTEN = gettext_lazy("Nothing was written: some records are invalid.")


class CustomerOut(Schema):
    id: int
    external_id: str
    email: str
    phone: str
    first_name: str
    last_name: str
    company: str
    language: str
    postcode: str
    city: str
    region: str
    country: str
    attributes: dict[str, Any]
    created_at: datetime
    last_purchase_at: datetime | None
    purchases_count: int
    email_consent: bool


class CustomerPage(Schema):
    count: int
    results: list[CustomerOut]


class CustomerFilters(Schema):
    q: str = ""
    region: str = ""
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0)


class Problem(Schema):
    row: int
    field: str
    value: str
    code: str
    message: str


class WriteResult(Schema):
    received: int
    written: int


class WriteRefused(Schema):
    detail: str
    problems: list[Problem] = Field(default_factory=list)


@router.get("/customers", response=CustomerPage, summary="List customers")
def list_customers(request: HttpRequest, filters: Query[CustomerFilters]) -> dict[str, Any]:
    customers = filter_customers(
        Customer.objects.for_org(current_organization(request)), {"q": filters.q, "region": filters.region}
    )
    return {
        "count": customers.count(),
        "results": list(customers[filters.offset : filters.offset + filters.limit]),
    }


def _language(request: HttpRequest, org: Any) -> str:
    if request.headers.get("Accept-Language"):
        return translation.get_language_from_request(request)
    return str(org.language)


def _nested_values(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fields sent as an object or a list (tags aside): a record holds one value per field."""
    return [
        {
            "row": row,
            "field": name,
            "value": str(value)[:200],
            "code": "not_a_single_value",
            "message": str(REASONS["not_a_single_value"]),
        }
        for row, record in enumerate(records, start=1)
        for name, value in record.items()
        if isinstance(value, dict | list) and not (name == "tags" and all(isinstance(v, str) for v in value))
    ]


def _bulk_write(request: HttpRequest, kind: str, records: list[dict[str, Any]]) -> Status[Any]:
    """Validate every record like an import row; write all of them or none."""
    org = current_organization(request)
    with translation.override(_language(request, org)):
        if len(records) > MAX_RECORDS:
            detail = _("At most %(count)s records per request.") % {"count": MAX_RECORDS}
            return Status(413, {"detail": detail, "problems": []})
        if problems := _nested_values(records):
            return Status(400, {"detail": str(NOTHING_WRITTEN), "problems": problems})

    def write() -> tuple[int, Any]:
        with translation.override(_language(request, org)):
            try:
                outcome = run_import(ImportRequest(org.pk, org.time_zone, kind, records=records))
            except ImportFileError as error:
                return 400, {"detail": error.describe(), "problems": []}
            if not outcome.ok:
                problems = [
                    {"row": p.line, "field": p.column, "value": p.value, "code": p.code, "message": p.reason}
                    for p in outcome.problems
                ]
                return 400, {"detail": str(NOTHING_WRITTEN), "problems": problems}
            return 200, {"received": outcome.rows, "written": outcome.written}

    return Status(*idempotent(request, f"{kind}:bulk", write))


@router.post(
    "/customers/bulk",
    response={200: WriteResult, 400: WriteRefused, 409: WriteRefused, 413: WriteRefused, 422: WriteRefused},
    summary="Create or update customers by CRM id",
)
def upsert_customers(request: HttpRequest, records: list[dict[str, Any]]) -> Status[Any]:
    return _bulk_write(request, "customers", records)


@router.post(
    "/transactions/bulk",
    response={200: WriteResult, 400: WriteRefused, 409: WriteRefused, 413: WriteRefused, 422: WriteRefused},
    summary="Create or update transactions",
)
def upsert_transactions(request: HttpRequest, records: list[dict[str, Any]]) -> Status[Any]:
    return _bulk_write(request, "transactions", records)


@router.post(
    "/consents",
    response={200: WriteResult, 400: WriteRefused, 409: WriteRefused, 413: WriteRefused, 422: WriteRefused},
    summary="Append consent changes",
)
def append_consents(request: HttpRequest, records: list[dict[str, Any]]) -> Status[Any]:
    return _bulk_write(request, "consents", records)


@router.get("/customers/{external_id}", response=CustomerOut, summary="Get a customer by CRM id")
def get_customer(request: HttpRequest, external_id: str) -> Customer:
    return get_for_org_or_404(Customer, current_organization(request), external_id=external_id)
