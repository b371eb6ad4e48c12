"""Operations of the listening program that write several rows, each in one transaction."""

from django.db import transaction

from ecoute.accounts.models import Organization
from ecoute.listening.defaults import create_defaults
from ecoute.listening.models import ContactPolicy, Criterion


@transaction.atomic
def ensure_listening_defaults(organization: Organization) -> int:
    """Give the organization the shipped criteria and a contact policy unless it has them; rerunnable."""
    return create_defaults(organization, Criterion, ContactPolicy)
