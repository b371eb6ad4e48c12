"""Read-side questions about the listening program."""

from django.db import connection

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer
from ecoute.listening.personalize import CUSTOMER_FIELDS


def crm_attribute_keys(organization: Organization) -> set[str]:
    """Every key found in the organization's customers' CRM fields, read by the database."""
    table = Customer._meta.db_table
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT DISTINCT jsonb_object_keys(attributes) FROM {table} "  # noqa: S608 - the model's table name
            "WHERE organization_id = %s AND jsonb_typeof(attributes) = 'object'"
        )
    else:
        sql = (
            f"SELECT DISTINCT j.key FROM {table} AS c, json_each(c.attributes) AS j "  # noqa: S608 - the model's table name
            "WHERE c.organization_id = %s AND json_type(c.attributes) = 'object'"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [organization.pk])
        return {key for (key,) in cursor.fetchall()}


def known_customer_fields(organization: Organization) -> set[str]:
    """The names a survey may use in placeholders and `known_from`: customer columns and CRM fields."""
    return set(CUSTOMER_FIELDS) | crm_attribute_keys(organization)
