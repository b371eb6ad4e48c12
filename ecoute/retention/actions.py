"""Retention operations that write across models, each inside one transaction."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ecoute.accounts.models import Organization
from ecoute.retention.models import RetentionRules
from ecoute.retention.statuses import StatusReport, recompute_statuses


def recompute_organization_statuses(organization: Organization, now: datetime | None = None) -> StatusReport:
    """Recompute every customer's status and note when, so that the scheduled task knows it is done."""
    now = now or timezone.now()
    with transaction.atomic():
        report = recompute_statuses(organization, now)
        rules, _ = RetentionRules.objects.get_or_create(organization=organization)
        rules.statuses_computed_at = now
        rules.save(update_fields=["statuses_computed_at"])
    return report


def save_rules(rules: RetentionRules) -> None:
    """Save the organization's rules; statuses follow them at the next recomputation."""
    rules.save()
