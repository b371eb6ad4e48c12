"""Part (b) of bench/listening.py: planning a wave for 100,000 customers with every contact rule.

In a process of its own per database, on a fresh database: 100,000 customers, most with an e-mail
consent for surveys (some withdrawn, some never given), a few without an address, do-not-contact and
bounced suppressions, past invitations to other surveys and to this one at various dates, reminders
and soliciting outbox messages, so that every rule has work to do. Then, alternately, `runs` times:

- ours: `plan_invitations` — the audience, the CASE of every rule (suppressions, latest consent,
  solicitations counted over the policy's window, gap, cooldown) in one SELECT, the rows written
  with bulk inserts, the wave's counts;
- baseline: a plain SELECT of the same customers' ids with no rule, the same number of Invitation
  rows written with the same bulk inserts.

Rows are deleted after each run. Prints the fastest of each and the ratio ours / baseline.
"""

from __future__ import annotations

import os
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

NOW = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Paris: no quiet hours
BATCH = 5000


def setup_django(database_url: str, var_dir: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["ECOUTE_VAR_DIR"] = var_dir
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)
    os.environ["DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "ecoute.settings"
    import django

    django.setup()


def populate(customers: int) -> tuple[Any, Any]:
    """The organization and the survey, with `customers` customers in every situation."""

    from fresh_database import migrate

    from ecoute.accounts.models import Organization
    from ecoute.customers.models import Consent, Customer
    from ecoute.listening.models import ContactPolicy, Invitation, Survey
    from ecoute.messaging.models import Message, Suppression

    migrate()
    rng = random.Random(1)
    org = Organization.objects.create(slug="bench", name="Bench", time_zone="Europe/Paris")
    ContactPolicy.objects.create(
        organization=org, max_solicitations=2, per_days=30, min_gap_days=7, quiet_days=[6]
    )
    survey = Survey.objects.create(
        organization=org, slug="nps", name="NPS", status="active", cooldown_days=90
    )
    others = [Survey.objects.create(organization=org, slug=f"other-{n}", name=f"Other {n}") for n in range(5)]
    Customer.objects.bulk_create(
        (
            Customer(
                organization=org,
                external_id=f"C{n:06d}",
                email="" if n % 97 == 0 else f"c{n}@example.fr",
                first_name="Jeanne",
                last_name=f"Dupont{n}",
                search_name=f"dupont{n} jeanne",
            )
            for n in range(customers)
        ),
        batch_size=BATCH,
    )
    ids = list(Customer.objects.filter(organization=org).order_by("pk").values_list("pk", flat=True))
    since = NOW - timedelta(days=400)
    consents = []
    for n, pk in enumerate(ids):
        if n % 10 != 0:  # one in ten never said anything
            consents.append(
                Consent(
                    organization=org,
                    customer_id=pk,
                    channel="email",
                    purpose="surveys",
                    granted=True,
                    recorded_at=since,
                )
            )
        if n % 25 == 0:  # and some withdrew later
            consents.append(
                Consent(
                    organization=org,
                    customer_id=pk,
                    channel="email",
                    purpose="surveys",
                    granted=False,
                    recorded_at=since + timedelta(days=100),
                )
            )
    Consent.objects.bulk_create(consents, batch_size=BATCH)
    Suppression.objects.bulk_create(
        [Suppression(organization=org, customer_id=pk, reason="do_not_contact") for pk in ids[1::150]]
        + [
            Suppression(organization=org, address=f"c{n}@example.fr", reason="hard_bounce")
            for n in range(2, customers, 130)
        ],
        batch_size=BATCH,
    )
    invitations = []
    for n, pk in enumerate(ids):
        for _past in range(n % 4):  # 0 to 3 past invitations each, over the last 120 days
            at = NOW - timedelta(days=rng.uniform(0, 120))
            target = survey if rng.random() < 0.2 else rng.choice(others)
            invitations.append(
                Invitation(
                    organization=org,
                    survey=target,
                    customer_id=pk,
                    status="sent",
                    created_at=at,
                    sent_at=at,
                    reminded_at=at + timedelta(days=3) if rng.random() < 0.3 else None,
                )
            )
    Invitation.objects.bulk_create(invitations, batch_size=BATCH)
    Message.objects.bulk_create(
        (
            Message(
                organization=org,
                customer_id=pk,
                to_address="x@example.fr",
                purpose="reactivation",
                solicits=True,
                subject="…",
                text_body="…",
                idempotency_key=f"m{pk}",
                message_id=f"<m{pk}@bench>",
                status="sent",
                queued_at=NOW - timedelta(days=rng.uniform(0, 40)),
            )
            for pk in ids[::7]
        ),
        batch_size=BATCH,
    )
    return org, survey


def ours(survey: Any) -> tuple[float, dict[str, Any]]:
    from ecoute.listening.planning import plan_invitations

    started = time.perf_counter()
    planned = plan_invitations(survey, NOW)
    return time.perf_counter() - started, planned.counts()


def baseline(survey: Any) -> float:
    from django.db import transaction

    from ecoute.customers.models import Customer
    from ecoute.listening.models import Invitation, Wave

    started = time.perf_counter()
    with transaction.atomic():
        wave = Wave.objects.create(survey=survey, planned_at=NOW)
        ids = (
            Customer.objects.filter(organization_id=survey.organization_id)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        rows = [
            Invitation(
                organization_id=survey.organization_id,
                survey=survey,
                wave=wave,
                customer_id=pk,
                status="planned",
                created_at=NOW,
                expires_at=NOW + timedelta(days=14),
            )
            for pk in ids
        ]
        Invitation.objects.bulk_create(rows, batch_size=2000)
    return time.perf_counter() - started


def forget_wave(survey: Any) -> None:
    from ecoute.listening.models import Invitation

    Invitation.objects.filter(wave__survey=survey).delete()
    survey.waves.all().delete()


def run(database_url: str, var_dir: str, customers: int, runs: int) -> dict[str, Any]:
    setup_django(database_url, var_dir)
    started = time.perf_counter()
    _org, survey = populate(customers)
    populated = time.perf_counter() - started
    ours_seconds: list[float] = []
    base_seconds: list[float] = []
    counts: dict[str, Any] = {}
    for _run in range(runs):
        base_seconds.append(baseline(survey))
        forget_wave(survey)
        seconds, counts = ours(survey)
        ours_seconds.append(seconds)
        forget_wave(survey)
    return {
        "customers": customers,
        "populated": populated,
        "ours": ours_seconds,
        "baseline": base_seconds,
        "counts": counts,
    }
