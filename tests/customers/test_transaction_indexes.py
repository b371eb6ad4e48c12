"""The sales table keeps only the indexes its queries use: each query that matters is planned on one of
them, on SQLite and PostgreSQL, and no index is left that another one covers."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer, Transaction
from tests.factories import CustomerFactory

KEPT = {"transaction_customer_idx", "transaction_org_date_idx", "transaction_unique_external_id"}


def _indexes() -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Transaction._meta.db_table)
    return {
        name
        for name, info in constraints.items()
        if (info["index"] or info["unique"]) and not info["primary_key"] and info["columns"]
    }


def _plan(queryset: object) -> str:
    """The plan of `queryset`, with sequential scans made unattractive on PostgreSQL: the test tables are
    tiny, and the question is which index a large table would use."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET enable_seqscan = off")
        try:
            return str(queryset.explain())  # type: ignore[attr-defined]
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("SET enable_seqscan = on")


def test_the_sales_table_has_no_index_that_another_covers(db: None) -> None:
    # Given the migrated sales table
    # When its indexes are listed
    # Then only the composite ones and the unique key remain: customer_id and organization_id alone are gone
    assert _indexes() == KEPT


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("a customer's sales, newest first", "transaction_customer_idx"),
        ("a customer's sales, as deleting the customer finds them", "transaction_customer_idx"),
        ("an organization's sales since a date", "transaction_org_date_idx"),
        ("a sale by its id in the file", "transaction_unique_external_id"),
    ],
)
def test_each_query_on_sales_is_planned_on_an_index(org: Organization, query: str, index: str) -> None:
    # Given a customer with a sale
    customer: Customer = CustomerFactory.create(organization=org)
    Transaction.objects.create(
        organization=org,
        customer=customer,
        external_id="T1",
        occurred_at=datetime(2024, 3, 1, tzinfo=UTC),
        amount=1,
    )
    querysets = {
        "a customer's sales, newest first": customer.transactions.order_by("-occurred_at")[:20],
        "a customer's sales, as deleting the customer finds them": Transaction.objects.filter(
            customer=customer
        ),
        "an organization's sales since a date": Transaction.objects.for_org(org).filter(
            occurred_at__gte=datetime(2024, 1, 1, tzinfo=UTC)
        ),
        "a sale by its id in the file": Transaction.objects.for_org(org).filter(external_id="T1").order_by(),
    }
    # When the database plans the query
    plan = _plan(querysets[query])
    # Then it uses the index meant for it (the unique key's index is named after it on PostgreSQL only)
    if index == "transaction_unique_external_id" and connection.vendor == "sqlite":
        assert "sqlite_autoindex_customers_transaction" in plan, plan
    else:
        assert index in plan, plan
