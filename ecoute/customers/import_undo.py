"""Undo an import: remove the rows it added and the customers it created, put back the rows it overwrote.

What an import writes is known from its rows (`imported_by`, the import that last wrote each row) and
what it overwrote from its snapshots (ImportSnapshot, kept while it wrote, see importing/snapshots.py).

The rule: an import is undone whole, or not at all. It is refused, with what stands in the way, when
anything changed the rows it wrote since it ran (a later import, an edit, the API: undo the later
imports first, newest first), or when a customer it created has since got rows of their own (sales,
contacts, consents, messages, answers…) that removing the customer would remove too.

What undo does not restore, as the import's page says: the tags it added to customers stay; a sale that
existed before keeps the item lines the import gave it; messages sent, thanks given or answers collected
in the meantime stay. The consents it recorded are removed from the log, so that the consent recorded
before it applies again.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ecoute.accounts.models import User
from ecoute.customers.import_job import RUNNING_STATUSES, ImportSnapshot
from ecoute.customers.import_lease import interrupted
from ecoute.customers.models import (
    Consent,
    Customer,
    ImportJob,
    ImportStatus,
    Interaction,
    LoyaltyAct,
    Transaction,
)
from ecoute.customers.queries import refresh_consent_flags, refresh_purchase_stats, refresh_search_names
from ecoute.lib.quantities import grouped

MODELS: dict[str, type[models.Model]] = {
    "customers": Customer,
    "consents": Consent,
    "transactions": Transaction,
    "interactions": Interaction,
    "loyalty-acts": LoyaltyAct,
}
# Rows computed from a customer's others, recomputed anyway: they do not keep a created customer.
DERIVED = frozenset({"CustomerStatus", "StatusChange", "CustomerScore"})
SHOWN = 5


class UndoRefusedError(Exception):
    def __init__(self, reasons: list[str]) -> None:
        super().__init__(" ".join(reasons))
        self.reasons = reasons


@dataclass
class UndoPlan:
    """What undoing an import would do, or why it cannot."""

    removed: int = 0
    restored: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def possible(self) -> bool:
        return not self.reasons


def _shown(ids: list[str], count: int) -> str:
    return ", ".join(ids[:SHOWN]) + (" …" if count > SHOWN else "")


def _rows(job: ImportJob) -> Any:
    return MODELS[job.kind]._default_manager.filter(organization_id=job.organization_id)


def _snapshot_ids(job: ImportJob) -> Any:
    return ImportSnapshot.objects.filter(job=job).values("row_id")


def plan_undo(job: ImportJob) -> UndoPlan:
    """What undoing `job` would remove and put back, or the reasons it cannot be undone."""
    plan = UndoPlan()
    if job.status == ImportStatus.UNDONE:
        plan.reasons.append(_("This import was undone already."))
        return plan
    if _still_running(job):
        plan.reasons.append(_("This import is still running: wait until it ends, then undo it."))
        return plan
    nothing = _("Only an import that went through can be undone: this one wrote nothing.")
    if job.dry_run or job.kind not in MODELS:
        plan.reasons.append(nothing)
        return plan
    rows = _rows(job)
    written = rows.filter(imported_by=job.pk)
    snapshots = _snapshot_ids(job)
    # An import killed or failed part way has written its first batches: those can be undone.
    if job.status != ImportStatus.SUCCEEDED and not (written.exists() or snapshots.exists()):
        plan.reasons.append(nothing)
        return plan
    changed = Q(pk__in=snapshots) & ~Q(imported_by=job.pk)
    if job.kind == "customers":
        # An import killed part way wrote nothing after its lease ran out.
        ended = job.finished_at or job.lease_expires_at or job.created_at
        changed |= Q(imported_by=job.pk, updated_at__gt=ended)
    if job.kind == "loyalty-acts":
        changed |= Q(imported_by=job.pk, thanked_at__isnull=False)
    by_later = ImportSnapshot.objects.filter(prior__imported_by=job.pk).exclude(job=job)
    changed |= Q(pk__in=by_later.values("row_id"))
    changed_rows = rows.filter(changed)
    count = changed_rows.count()
    if job.kind != "consents" and job.status == ImportStatus.SUCCEEDED:
        # Rows written again through the API or deleted since are no longer the import's own.
        count = max(count, job.rows_written - written.count())
    if count:
        shown = _shown(list(changed_rows.values_list(_label(job), flat=True)[:SHOWN]), count)
        plan.reasons.append(
            ngettext(
                "%(count)s row it wrote has changed since it ran (%(shown)s): by a later import, an edit "
                "or the API. Undo the later imports first, the newest first.",
                "%(count)s rows it wrote have changed since it ran (%(shown)s): by later imports, edits "
                "or the API. Undo the later imports first, the newest first.",
                count,
            )
            % {"count": grouped(count), "shown": shown or "…"}
        )
    created = written.exclude(pk__in=snapshots)
    if job.kind == "customers":
        _refuse_customers_with_rows(created, plan)
    plan.removed = created.count()
    plan.restored = ImportSnapshot.objects.filter(job=job).count()
    return plan


def _still_running(job: ImportJob) -> bool:
    """Waiting, or held by a process whose lease still runs: it may write more rows."""
    if job.status == ImportStatus.PENDING:
        return True
    if job.status not in RUNNING_STATUSES:
        return False
    return not ImportJob.objects.filter(interrupted(job), pk=job.pk).exists()


def _label(job: ImportJob) -> str:
    return "customer__external_id" if job.kind == "consents" else "external_id"


def _refuse_customers_with_rows(created: Any, plan: UndoPlan) -> None:
    kept: set[str] = set()
    for relation in Customer._meta.related_objects:
        if relation.related_model.__name__ in DERIVED:
            continue
        owners = relation.related_model._default_manager.filter(
            **{f"{relation.field.name}__in": created.values("pk")}
        ).values_list(f"{relation.field.name}__external_id", flat=True)
        kept.update(owners.distinct()[:1000])
    if kept:
        plan.reasons.append(
            ngettext(
                "%(count)s customer it created has since got sales, contacts, consents, messages or "
                "answers (%(shown)s): removing the customer would remove them too.",
                "%(count)s customers it created have since got sales, contacts, consents, messages or "
                "answers (%(shown)s): removing them would remove those too.",
                len(kept),
            )
            % {"count": grouped(len(kept)), "shown": _shown(sorted(kept), len(kept))}
        )


def undo_import(job: ImportJob, by: User | None = None) -> UndoPlan:
    """Undo `job` whole, in one transaction; UndoRefusedError with the reasons when it cannot be."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        plan = plan_undo(job)
        if not plan.possible:
            raise UndoRefusedError(plan.reasons)
        model, rows = MODELS[job.kind], _rows(job)
        customers = _customers_touched(job, rows)
        rows.filter(imported_by=job.pk).exclude(pk__in=_snapshot_ids(job)).delete()
        # A customer's name searched is computed again from the name put back (see _refresh).
        recomputed = {"search_name": ""} if model is Customer else {}
        for snapshot in ImportSnapshot.objects.filter(job=job).iterator():
            rows.filter(pk=snapshot.row_id).update(**_decoded(model, snapshot.prior), **recomputed)
        _refresh(job, customers)
        ImportSnapshot.objects.filter(job=job).delete()
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.UNDONE, undone_at=timezone.now(), undone_by=by
        )
    return plan


def _customers_touched(job: ImportJob, rows: Any) -> set[int]:
    if job.kind == "customers":
        return set()
    ids = set(rows.filter(imported_by=job.pk).values_list("customer_id", flat=True))
    for prior in ImportSnapshot.objects.filter(job=job).values_list("prior", flat=True):
        if isinstance(prior, dict) and prior.get("customer_id"):
            ids.add(int(prior["customer_id"]))
    return ids


def _refresh(job: ImportJob, customers: set[int]) -> None:
    """What is computed from the rows put back: names searched, purchase figures, consent flags."""
    if job.kind == "customers":
        refresh_search_names(job.organization_id)
    elif job.kind == "transactions":
        refresh_purchase_stats(job.organization_id, customers)
    elif job.kind == "consents":
        refresh_consent_flags(job.organization_id, customers)


def _field_value(model_field: Any, stored: Any) -> Any:
    if isinstance(model_field, models.JSONField):
        return json.loads(stored) if isinstance(stored, str) else stored
    value = None if stored is None else model_field.to_python(stored)
    if isinstance(value, datetime) and timezone.is_naive(value):
        return value.replace(tzinfo=UTC)
    return value


def _decoded(model: type[models.Model], prior: dict[str, Any]) -> dict[str, Any]:
    """A snapshot's JSON values as the model's fields take them (SQLite gives dates as naive UTC text
    and JSON columns as text)."""
    values: dict[str, Any] = {}
    for column, stored in prior.items():
        model_field = model._meta.get_field(column.removesuffix("_id") if column == "customer_id" else column)
        values[model_field.attname] = _field_value(model_field, stored)  # type: ignore[union-attr]
    return values
