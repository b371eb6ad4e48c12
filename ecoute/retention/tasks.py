"""Background retention work: statuses and scores recomputed once they are older than the install's
intervals. Tasks take no data: each pass recomputes every organization that is due."""

from datetime import datetime, timedelta

from django.conf import settings
from django.tasks import Task, TaskResultStatus, task
from django.utils import timezone

from ecoute.accounts.models import Organization


def organizations_due(field: str, hours: float, now: datetime) -> list[Organization]:
    """Organizations whose `field` of their retention rules is older than `hours` (or never set)."""
    from ecoute.retention.models import RetentionRules

    recent = RetentionRules.objects.filter(**{f"{field}__gte": now - timedelta(hours=hours)})
    return list(Organization.objects.exclude(pk__in=recent.values("organization_id")).order_by("pk"))


@task()
def recompute_due_statuses() -> int:
    """Recompute the statuses of every organization that is due; how many organizations."""
    from ecoute.retention.actions import recompute_organization_statuses

    now = timezone.now()
    due = organizations_due("statuses_computed_at", settings.RETENTION_STATUS_HOURS, now)
    for organization in due:
        recompute_organization_statuses(organization, now)
    return len(due)


@task()
def score_due_organizations() -> int:
    """Fit the models and score the customers of every organization that is due; how many."""
    from ecoute.retention.scores import score_and_classify

    now = timezone.now()
    due = organizations_due("scores_computed_at", settings.RETENTION_SCORE_HOURS, now)
    for organization in due:
        score_and_classify(organization, now)
    return len(due)


def _start_when_due(work: Task[[], int], field: str, hours: float) -> bool:
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=work.module_path, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    )
    if waiting.exists() or not organizations_due(field, hours, timezone.now()):
        return False
    work.enqueue()
    return True


def recompute_statuses_when_due() -> bool:
    """Start a pass when an organization's statuses are older than RETENTION_STATUS_HOURS and none is
    waiting: every worker calls this from time to time (settings.WORKER_HOUSEKEEPING)."""
    return _start_when_due(recompute_due_statuses, "statuses_computed_at", settings.RETENTION_STATUS_HOURS)


def score_when_due() -> bool:
    """Start a scoring pass when an organization's scores are older than RETENTION_SCORE_HOURS."""
    return _start_when_due(score_due_organizations, "scores_computed_at", settings.RETENTION_SCORE_HOURS)
