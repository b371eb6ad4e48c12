"""Operations of the listening program that write several rows, each in one transaction."""

from django.db import transaction

from ecoute.accounts.models import Organization
from ecoute.listening.defaults import create_defaults
from ecoute.listening.models import MAX_KEY_CRITERIA, ContactPolicy, Criterion


@transaction.atomic
def ensure_listening_defaults(organization: Organization) -> int:
    """Give the organization the shipped criteria and a contact policy unless it has them; rerunnable."""
    return create_defaults(organization, Criterion, ContactPolicy)


class TooManyKeyCriteriaError(Exception):
    """A fourth key criterion: the company's key three are at most three."""


@transaction.atomic
def save_criterion(criterion: Criterion) -> Criterion:
    """Create or update a criterion, keeping at most three key ones per organization.

    The organization's criteria are locked first, so that two people marking a key criterion at the
    same moment cannot make four between them.
    """
    others = Criterion.objects.select_for_update().filter(organization=criterion.organization)
    if criterion.pk:
        others = others.exclude(pk=criterion.pk)
    key_others = sum(1 for other in others if other.is_key)
    if criterion.is_key and key_others >= MAX_KEY_CRITERIA:
        raise TooManyKeyCriteriaError
    if not criterion.pk:
        criterion.position = max((other.position for other in others), default=-1) + 1
    criterion.save()
    return criterion
