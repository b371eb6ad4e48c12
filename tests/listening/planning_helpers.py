"""Customers in every situation planning tells apart, for the planning tests."""

from datetime import datetime, timedelta

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer
from ecoute.listening.models import ContactPolicy, Invitation, Survey
from ecoute.messaging.models import Message, Suppression
from tests.factories import ConsentFactory, CustomerFactory, InvitationFactory, SurveyFactory


def consenting(org: Organization, external_id: str, **fields: object) -> Customer:
    customer = CustomerFactory.create(organization=org, external_id=external_id, **fields)
    ConsentFactory.create(
        customer=customer, recorded_at=datetime(2025, 1, 1, tzinfo=customer.created_at.tzinfo)
    )
    return customer


def policy(org: Organization, **fields: object) -> ContactPolicy:
    values = {"max_solicitations": 2, "per_days": 30, "min_gap_days": 7, "quiet_days": [], **fields}
    found, _created = ContactPolicy.objects.update_or_create(organization=org, defaults=values)
    return found


def solicit(customer: Customer, at: datetime, *, survey: Survey | None = None) -> Invitation:
    """An invitation sent to `customer` at `at` (to another survey unless one is given)."""
    survey = survey or SurveyFactory.create(organization=customer.organization)
    return InvitationFactory.create(survey=survey, customer=customer, sent_at=at, created_at=at)


def message(customer: Customer, at: datetime, **fields: object) -> Message:
    values: dict[str, object] = {
        "organization": customer.organization,
        "customer": customer,
        "to_address": customer.email,
        "purpose": "reactivation",
        "solicits": True,
        "subject": "Vous nous manquez",
        "text_body": "…",
        "idempotency_key": f"m-{customer.pk}-{at.isoformat()}-{fields.get('subject_ref', '')}",
        "message_id": f"<m-{customer.pk}-{at.timestamp()}@test>",
        "queued_at": at,
        "sent_at": at,
        "status": "sent",
        **fields,
    }
    return Message.objects.create(**values)


def every_situation(org: Organization, survey: Survey, now: datetime) -> dict[str, Customer]:
    """One customer per outcome, each also failing every rule after its own (to prove precedence)."""
    days = timedelta(days=1)
    found = {
        "invited": consenting(org, "INVITED"),
        "no_address": CustomerFactory.create(organization=org, external_id="NO_ADDRESS", email=""),
        "do_not_contact": CustomerFactory.create(organization=org, external_id="DNC"),
        "bounced": CustomerFactory.create(organization=org, external_id="BOUNCED", email="Gone@Example.fr"),
        "consent": CustomerFactory.create(organization=org, external_id="NO_CONSENT"),
        "pressure": consenting(org, "PRESSURE"),
        "gap": consenting(org, "GAP"),
        "cooldown": consenting(org, "COOLDOWN"),
    }
    Suppression.objects.create(organization=org, customer=found["do_not_contact"], reason="do_not_contact")
    Suppression.objects.create(organization=org, address="gone@example.fr", reason="hard_bounce")
    for name in ("no_address", "do_not_contact", "bounced", "consent", "pressure"):
        solicit(found[name], now - 2 * days)
        message(found[name], now - 20 * days)
    solicit(found["gap"], now - 3 * days)
    solicit(found["cooldown"], now - 40 * days, survey=survey)
    return found
