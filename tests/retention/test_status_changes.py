"""Status changes are stored as events, once: recomputing twice records nothing new."""

from datetime import UTC, date, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import translation

from ecoute.accounts.models import Organization
from ecoute.retention.models import ActivityStatus, RetentionRules, StatusChange
from ecoute.retention.statuses import recompute_statuses
from ecoute.retention.tasks import recompute_statuses_when_due
from tests.factories import TransactionFactory
from tests.retention.purchases import customer_buying

pytestmark = pytest.mark.django_db


def changes(org: Organization) -> list[tuple[str, str, datetime]]:
    return list(
        StatusChange.objects.filter(organization=org)
        .order_by("changed_at", "id")
        .values_list("from_status", "to_status", "changed_at")
    )


def test_each_change_is_recorded_once_with_its_time(org: Organization) -> None:
    # Given a customer who bought on 1 March
    customer = customer_buying(org, date(2026, 3, 1))
    first = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)

    # When statuses are computed twice the same day, then after 100 days, then again
    with time_machine.travel(first, tick=False):
        recompute_statuses(org)
        second_run = recompute_statuses(org)
    later = datetime(2026, 6, 20, 8, 0, tzinfo=UTC)
    with time_machine.travel(later, tick=False):
        recompute_statuses(org)
        recompute_statuses(org)

    # Then the second run of each day records nothing, and the changes read new → at risk
    assert second_run.changes == 0
    assert changes(org) == [
        ("", ActivityStatus.NEW, first),
        (ActivityStatus.NEW, ActivityStatus.AT_RISK, later),
    ]
    assert StatusChange.objects.filter(customer=customer).count() == 2


def test_a_lost_customer_who_buys_again_is_reactivated(org: Organization) -> None:
    # Given a customer lost for a year
    customer = customer_buying(org, date(2025, 1, 10))
    with time_machine.travel(datetime(2026, 3, 1, tzinfo=UTC), tick=False):
        recompute_statuses(org)

    # When he buys again and statuses are recomputed
    TransactionFactory.create(customer=customer, occurred_at=datetime(2026, 3, 5, 15, 0, tzinfo=UTC))
    with time_machine.travel(datetime(2026, 3, 6, tzinfo=UTC), tick=False):
        report = recompute_statuses(org)

    # Then one change is recorded: lost → reactivated
    assert report.changes == 1
    assert [(f, t) for f, t, _ in changes(org)] == [
        ("", ActivityStatus.LOST),
        (ActivityStatus.LOST, ActivityStatus.REACTIVATED),
    ]


@override_settings(RETENTION_STATUS_HOURS=24)
def test_workers_recompute_statuses_once_they_are_older_than_the_interval(org: Organization) -> None:
    # Given a new customer, statuses never computed
    customer_buying(org, date(2026, 3, 1))

    # When the workers' housekeeping runs (tasks run at once under test), then again an hour later
    with time_machine.travel(datetime(2026, 3, 10, 8, 0, tzinfo=UTC), tick=False):
        started = recompute_statuses_when_due()
    with time_machine.travel(datetime(2026, 3, 10, 9, 0, tzinfo=UTC), tick=False):
        started_again = recompute_statuses_when_due()
    # And again a day later
    with time_machine.travel(datetime(2026, 3, 11, 9, 0, tzinfo=UTC), tick=False):
        started_next_day = recompute_statuses_when_due()

    # Then it ran the first time and the next day, not an hour later
    assert (started, started_again, started_next_day) == (True, False, True)
    rules = RetentionRules.objects.get(organization=org)
    assert rules.statuses_computed_at == datetime(2026, 3, 11, 9, 0, tzinfo=UTC)
    assert [t for _, t, _ in changes(org)] == [ActivityStatus.NEW]


def test_the_command_recomputes_one_organization(org: Organization, other_org: Organization) -> None:
    # Given a customer in each organization
    customer_buying(org, date(2026, 3, 1))
    customer_buying(other_org, date(2026, 3, 1))
    out = StringIO()

    # When `ecoute retention status --org maison` runs in French
    with time_machine.travel(datetime(2026, 3, 10, tzinfo=UTC), tick=False), translation.override("fr"):
        call_command("retention", "status", "--org", "maison", stdout=out)

    # Then it says what it found and recorded for that organization only
    assert "nouveau\xa0: 1 · actif\xa0: 0" in out.getvalue()
    assert "Changements de statut enregistrés\xa0: 1" in out.getvalue()
    assert changes(other_org) == []


def test_the_command_names_an_unknown_organization(db: None) -> None:
    # When the command names no organization that exists, then it says so
    with (
        translation.override("fr"),
        pytest.raises(CommandError, match="Aucune organisation «\xa0nowhere\xa0»"),
    ):
        call_command("retention", "status", "--org", "nowhere")
