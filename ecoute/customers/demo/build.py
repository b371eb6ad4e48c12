"""Build the demo organization: members who can log in, then its CRM files through the real importer.

Going through the importer keeps the demo honest (what a user sees after their own first imports)
and leaves an import history on the demo organization.
"""

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from ecoute.accounts.actions import add_member, create_organization
from ecoute.accounts.models import Organization, Role, User
from ecoute.customers.actions import import_dir, run_import_job, start_import_job
from ecoute.customers.demo.export import FILES, ExportCounts, export_demo
from ecoute.customers.demo.listening import run_listening_program
from ecoute.customers.demo.names import ORGANIZATION_NAME
from ecoute.customers.models import Consent, Customer, ImportJob, Interaction, LoyaltyAct, Transaction
from ecoute.retention.demo_campaign import run_past_campaign
from ecoute.retention.scores import score_and_classify

DEMO_PASSWORD = "ecoute-demo"  # noqa: S105 - the published demo login
DEMO_MEMBERS = (
    ("demo@ecoute.local", Role.OWNER, "Claire", "Moreau"),
    ("analyste@ecoute.local", Role.ANALYST, "Julien", "Perrin"),
    ("lecture@ecoute.local", Role.VIEWER, "Sophie", "Girard"),
)
IMPORT_ORDER = ("customers", "consents", "transactions", "interactions", "loyalty-acts")

type Announce = Callable[[str], None]


class DemoImportError(Exception):
    """One of the demo files did not import cleanly: the generator and the importer disagree."""


@dataclass
class DemoReport:
    organization: Organization
    exported: ExportCounts
    members: list[tuple[str, str]] = field(default_factory=list)
    imports: list[ImportJob] = field(default_factory=list)
    listening: dict[str, int] = field(default_factory=dict)
    campaign: dict[str, int] = field(default_factory=dict)

    def stored(self) -> dict[str, int]:
        """How many rows of each kind the organization holds now."""
        models: dict[str, type[Model]] = {
            "customers": Customer,
            "consents": Consent,
            "transactions": Transaction,
            "interactions": Interaction,
            "loyalty_acts": LoyaltyAct,
        }
        return {
            name: model._default_manager.filter(organization=self.organization).count()
            for name, model in models.items()
        }


def build_demo(
    slug: str,
    *,
    customers: int,
    seed: int,
    today: date,
    announce: Announce | None = None,
) -> DemoReport | None:
    """Create the demo organization `slug`; None, touching nothing, when it already exists.

    One transaction: a build that stops half-way, even killed, leaves nothing, and the next run starts
    again from scratch."""
    say = announce or (lambda _text: None)
    with transaction.atomic():
        if Organization.objects.filter(slug=slug).exists():
            return None
        organization = create_organization(slug, ORGANIZATION_NAME, language="fr", time_zone="Europe/Paris")
        directory = import_dir(organization) / f"demo-{seed}"
        try:
            report = _fill(organization, directory, customers=customers, seed=seed, today=today, say=say)
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise
    return report


def _fill(
    organization: Organization, directory: Path, *, customers: int, seed: int, today: date, say: Announce
) -> DemoReport:
    owner = _add_members(organization)
    say(_("Writing the CRM files of %(count)s customers…") % {"count": customers})
    exported = export_demo(directory, customers=customers, seed=seed, today=today)
    report = DemoReport(organization, exported, [(email, role) for email, role, *_n in DEMO_MEMBERS])
    for kind in IMPORT_ORDER:
        name = FILES[kind][0]
        say(_("Importing %(file)s…") % {"file": name})
        lease = start_import_job(organization, kind, directory / name, original_name=name, created_by=owner)
        outcome = run_import_job(lease)
        if not outcome.ok:
            problems = "; ".join(p.describe() for p in outcome.problems[:5])
            raise DemoImportError(f"{name}: {problems}")
        report.imports.append(lease.job)
    say(_("Running the listening programme over the history…"))
    report.listening = run_listening_program(organization, seed=seed, today=today)
    say(_("Simulating a past reactivation campaign…"))
    report.campaign = run_past_campaign(organization, seed=seed, today=today)
    say(_("Scoring the customers: statuses, chance still active, lifetime value…"))
    end_of_history = datetime.combine(today, time(23, 59), tzinfo=UTC)
    score_and_classify(organization, now=min(timezone.now(), end_of_history))
    return report


def _add_members(organization: Organization) -> User:
    owner = None
    for email, role, first_name, last_name in DEMO_MEMBERS:
        membership, _created = add_member(
            organization, email, role, password=DEMO_PASSWORD, first_name=first_name, last_name=last_name
        )
        owner = owner or membership.user
    if owner is None:
        raise DemoImportError("no owner among the demo members")
    return owner
