"""Read-side questions about the listening program."""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.utils import timezone

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer
from ecoute.listening.audiences import AudienceError, audience_customers
from ecoute.listening.models import Survey, SurveyStatus
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


@dataclass(frozen=True)
class Overlap:
    survey: Survey
    customers: int


def audience_overlaps(survey: Survey, now: datetime | None = None) -> list[Overlap]:
    """The organization's other active surveys that would ask some of the same customers now, with how
    many customers both audiences hold (one counting query per other active survey)."""
    now = now or timezone.now()
    ours = audience_customers(survey, now).values("pk")
    found = []
    others = (
        Survey.objects.for_org(survey.organization).filter(status=SurveyStatus.ACTIVE).exclude(pk=survey.pk)
    )
    for other in others.select_related("organization"):
        try:
            theirs = audience_customers(other, now)
        except AudienceError:
            continue  # an active survey whose audience no longer reads asks nobody
        if shared := theirs.filter(pk__in=ours).count():
            found.append(Overlap(other, shared))
    return found
