"""Every customer's activity status, recomputed set-wise in SQL from purchases and the rules.

In this order (DESIGN.md, "Lost customer"): lost when the days since the last purchase exceed the
customer's lost window, or when their last lifetime-model score gives a chance of being active below
the rules' threshold and they bought more than once; at risk past the at-risk window; reactivated when
the last purchase, less than `new_days` ago, ended a gap longer than the lost window their earlier
gaps gave; new when the first
purchase is less than `new_days` old; active otherwise. Customers who never bought have no status.

A recomputation records a change (customer, from, to, at) only for customers whose status differs from
the one stored: running it twice records nothing new.
"""

# ruff: noqa: S608 - the statements are built from our own table names and SQL fragments; values are parameters

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from ecoute.accounts.models import Organization
from ecoute.retention.activity_sql import purchase_windows, today_number
from ecoute.retention.models import ActivityStatus, RetentionRules

COMPUTED = "retention_computed_status"


def rules_of(organization: Organization) -> RetentionRules:
    """The organization's retention rules; the shipped defaults when it has none yet."""
    return RetentionRules.objects.filter(organization=organization).first() or RetentionRules(
        organization=organization
    )


@dataclass(frozen=True)
class StatusReport:
    counts: Counter[str] = field(default_factory=Counter)
    changes: int = 0


def _status_case() -> str:
    return f"""
        CASE
            WHEN %(today)s - w.last_day > w.lost_after THEN '{ActivityStatus.LOST}'
            WHEN w.purchase_days > 1 AND score.p_alive < %(lost_p_alive)s THEN '{ActivityStatus.LOST}'
            WHEN %(today)s - w.last_day > w.at_risk_after THEN '{ActivityStatus.AT_RISK}'
            WHEN w.last_gap > w.lost_after_before_last AND %(today)s - w.last_day <= %(new_days)s
                THEN '{ActivityStatus.REACTIVATED}'
            WHEN %(today)s - w.first_day <= %(new_days)s THEN '{ActivityStatus.NEW}'
            ELSE '{ActivityStatus.ACTIVE}'
        END"""


def _computed_statuses_sql(
    organization: Organization, rules: RetentionRules, now: datetime
) -> tuple[str, list[Any]]:
    windows = purchase_windows(organization.pk, rules, now)
    case = _status_case() % {
        "today": today_number(now),
        "lost_p_alive": float(rules.lost_p_alive),
        "new_days": rules.new_days,
    }
    sql = f"""{windows.sql}
    SELECT w.customer_id, {case} AS status, w.lost_after
    FROM windows w
    LEFT JOIN retention_customerscore score ON score.customer_id = w.customer_id"""
    return sql, windows.params


def recompute_statuses(organization: Organization, now: datetime | None = None) -> StatusReport:
    """Store every customer's status as of `now` and record a change for each one that moved."""
    now = now or timezone.now()
    at = connection.ops.adapt_datetimefield_value(now)
    org_id = organization.pk
    with transaction.atomic():
        # One recomputation at a time per organization, so that two never record the same change.
        Organization.objects.select_for_update().filter(pk=org_id).first()
        rules = rules_of(organization)
        select, params = _computed_statuses_sql(organization, rules, now)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {COMPUTED}")
            cursor.execute(f"CREATE TEMPORARY TABLE {COMPUTED} AS {select}", params)
            cursor.execute(
                f"""INSERT INTO retention_statuschange
                    (organization_id, customer_id, from_status, to_status, changed_at)
                SELECT %s, n.customer_id, COALESCE(s.status, ''), n.status, %s
                FROM {COMPUTED} n
                LEFT JOIN retention_customerstatus s ON s.customer_id = n.customer_id
                WHERE s.status IS NULL OR s.status <> n.status""",
                [org_id, at],
            )
            changes = cursor.rowcount
            cursor.execute(
                f"""INSERT INTO retention_customerstatus
                    (organization_id, customer_id, status, lost_after_days, computed_at)
                SELECT %s, customer_id, status, lost_after, %s FROM {COMPUTED} WHERE 1 = 1
                ON CONFLICT (customer_id) DO UPDATE SET status = excluded.status,
                    lost_after_days = excluded.lost_after_days, computed_at = excluded.computed_at""",
                [org_id, at],
            )
            # A customer whose every purchase was taken back (refunds, a corrected import) has none.
            cursor.execute(
                f"""DELETE FROM retention_customerstatus WHERE organization_id = %s
                AND customer_id NOT IN (SELECT customer_id FROM {COMPUTED})""",
                [org_id],
            )
            cursor.execute(f"SELECT status, COUNT(*) FROM {COMPUTED} GROUP BY status")
            counts = Counter(dict(cursor.fetchall()))
            cursor.execute(f"DROP TABLE {COMPUTED}")
    return StatusReport(counts=counts, changes=changes)
