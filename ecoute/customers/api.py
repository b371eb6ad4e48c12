"""API for customer data: list and get customers, bulk upserts, consent appends.

Writes run through the importer's pipeline, so the API validates and answers exactly like a file
import: per record, the field, the value and the reason; all records are written or none.
"""

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.urls import register_converter
from ninja import Query, Router, Status
from ninja.errors import ValidationError
from ninja.params import functions as param_functions
from pydantic import BaseModel

from ecoute.accounts.idempotency import idempotent
from ecoute.accounts.models import Organization
from ecoute.accounts.tenancy import current_organization, get_for_org_or_404
from ecoute.customers.api_problems import NOTHING_WRITTEN, in_api_language, problem_from_import
from ecoute.customers.api_schemas import (
    MAX_RECORDS,
    ConsentIn,
    CustomerFilters,
    CustomerIn,
    CustomerOut,
    CustomerPage,
    Refusal,
    TransactionIn,
    WriteResult,
)
from ecoute.customers.importing.kinds import CustomerPlan
from ecoute.customers.importing.pipeline import run_import
from ecoute.customers.importing.problems import ImportFileError
from ecoute.customers.importing.request import ImportRequest
from ecoute.customers.models import Customer
from ecoute.customers.queries import filter_customers, stored_customer_fields


class CrmIdConverter:
    """A CRM id in a path: any text, "/" and line breaks included (sent percent-encoded)."""

    regex = r"[\s\S]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CrmIdConverter, "crm_id")

MAX_CRM_ID_LENGTH = 100
# The customer columns an import replaces (tags and attributes are added to, never replaced).
REPLACED_CUSTOMER_FIELDS = frozenset(CustomerPlan.COLUMNS) | {"created_at"}

router = Router(tags=["customers"])

# 401 without a valid key; 422 for a request that does not match the schema.
REFUSALS: dict[int, Any] = {401: Refusal, 422: Refusal}
WRITE_ANSWERS: dict[int, Any] = {200: WriteResult, 400: Refusal, 409: Refusal, 413: Refusal, **REFUSALS}
IDEMPOTENCY = (
    "Send an `Idempotency-Key` header (at most 200 characters) to make a retry safe: the same key and "
    "body get the first answer again; while the first request runs, 409. A key held by a request that "
    "never answered (killed) is free again after a short lease. Refused requests keep no key."
)


@router.get("/customers", response={200: CustomerPage, **REFUSALS}, summary="List customers")
def list_customers(request: HttpRequest, filters: Query[CustomerFilters]) -> dict[str, Any]:
    _refuse_unknown_parameters(request, CustomerFilters)
    customers = filter_customers(current_organization(request), {"q": filters.q, "region": filters.region})
    return {
        "count": customers.count(),
        "results": list(customers[filters.offset : filters.offset + filters.limit]),
    }


def _refuse_unknown_parameters(request: HttpRequest, schema: type[BaseModel]) -> None:
    """A query parameter the operation does not take is refused, as an unknown field of a record is."""
    if unknown := sorted(set(request.GET) - set(schema.model_fields)):
        raise ValidationError(
            [
                {"type": "extra_forbidden", "loc": ("query", name), "input": request.GET[name]}
                for name in unknown
            ]
        )


def _keep_fields_left_out(organization: Organization, rows: list[dict[str, Any]]) -> None:
    """A customer field one record leaves out keeps its stored value, though other records of the
    request send it: an import writes a column for every row, so the row is given the stored value."""
    sent = set().union(*rows) & REPLACED_CUSTOMER_FIELDS
    partial = [row for row in rows if not sent <= row.keys()]
    if not partial:
        return
    ids = {str(row["external_id"]).strip() for row in partial}
    stored = stored_customer_fields(organization, ids, sorted(sent))
    for row in partial:
        values = stored.get(str(row["external_id"]).strip(), {})
        for name in sent - row.keys():
            value = values.get(name) or ""
            row[name] = value.isoformat() if isinstance(value, datetime) else value


def _bulk_write(request: HttpRequest, kind: str, records: list[BaseModel]) -> Status[Any]:
    """Validate every record like an import row; write all of them or none."""
    org = current_organization(request)
    rows = [record.model_dump(exclude_unset=True, mode="json") for record in records]
    if not rows:  # a synchronisation with nothing new: nothing to check, nothing to write
        return Status(200, {"received": 0, "written": 0, "duplicates": 0})

    def write() -> tuple[int, Any]:
        if kind == "customers":
            _keep_fields_left_out(org, rows)
        try:
            outcome = run_import(ImportRequest(org.pk, org.time_zone, kind, records=rows))
        except ImportFileError as error:
            return 400, {"detail": error.describe(), "problems": []}
        if not outcome.ok:
            problems = [problem_from_import(problem) for problem in outcome.problems]
            return 400, {"detail": str(NOTHING_WRITTEN), "problems": problems}
        return 200, {"received": outcome.rows, "written": outcome.written, "duplicates": outcome.duplicates}

    with in_api_language(request):
        return Status(*idempotent(request, f"{kind}:bulk", write))


RECORDS: Any = param_functions.Body(..., max_length=MAX_RECORDS, description="At most 10,000 records.")


@router.post(
    "/customers/bulk",
    response=WRITE_ANSWERS,
    summary="Create or update customers by CRM id",
    description=IDEMPOTENCY,
)
def upsert_customers(request: HttpRequest, records: list[CustomerIn] = RECORDS) -> Status[Any]:
    return _bulk_write(request, "customers", list(records))


@router.post(
    "/transactions/bulk",
    response=WRITE_ANSWERS,
    summary="Create or update transactions",
    description=IDEMPOTENCY,
)
def upsert_transactions(request: HttpRequest, records: list[TransactionIn] = RECORDS) -> Status[Any]:
    return _bulk_write(request, "transactions", list(records))


@router.post("/consents", response=WRITE_ANSWERS, summary="Append consent changes", description=IDEMPOTENCY)
def append_consents(request: HttpRequest, records: list[ConsentIn] = RECORDS) -> Status[Any]:
    return _bulk_write(request, "consents", list(records))


# A customer whose CRM id is "bulk" is read here: the path is the bulk write's.
@router.get("/customers/bulk", response={200: CustomerOut, 404: Refusal, **REFUSALS}, include_in_schema=False)
def get_customer_named_bulk(request: HttpRequest) -> Customer:
    return get_customer(request, "bulk")


@router.get(
    "/customers/{crm_id:external_id}",
    response={200: CustomerOut, 404: Refusal, **REFUSALS},
    summary="Get a customer by CRM id",
    description='Percent-encode the CRM id in the path: a "/" as %2F, a space as %20.',
)
def get_customer(request: HttpRequest, external_id: str) -> Customer:
    if len(external_id) > MAX_CRM_ID_LENGTH or "\x00" in external_id:
        raise Http404  # no customer can have this id: the database is not asked
    return get_for_org_or_404(Customer, current_organization(request), external_id=external_id)
