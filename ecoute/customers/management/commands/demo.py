import time
from argparse import ArgumentParser
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from ecoute.accounts.models import Organization, Role
from ecoute.customers.demo.build import DEMO_MEMBERS, DEMO_PASSWORD, build_demo
from ecoute.customers.demo.export import FILES, export_demo
from ecoute.lib.quantities import record_counts, seconds
from ecoute.listening.actions import ensure_listening_defaults


class Command(BaseCommand):
    help = (
        "Create a demo organization with simulated customers, imported through the real importer "
        "(nothing happens when it exists), or with --export DIR only write its CRM files."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--org", default="demo", help="slug of the demo organization (default: demo)")
        parser.add_argument("--customers", type=int, default=2000, help="how many customers (default: 2000)")
        parser.add_argument(
            "--seed", type=int, default=1, help="same seed and same day, same data (default: 1)"
        )
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="the last day of the history (default: today)",
        )
        parser.add_argument(
            "--export",
            type=Path,
            metavar="DIR",
            help="write the CSV files into DIR instead of creating the organization",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["customers"] < 1:
            raise CommandError(_("--customers must be at least 1."))
        today: date = options["today"] or timezone.localdate()
        started = time.monotonic()
        if options["export"]:
            self._export(options["export"], options["customers"], options["seed"], today, started)
            return
        report = build_demo(
            options["org"],
            customers=options["customers"],
            seed=options["seed"],
            today=today,
            announce=self.stdout.write,
        )
        if report is None:
            ensure_listening_defaults(Organization.objects.get(slug=options["org"]))
            self.stdout.write(
                _("The organization “%(slug)s” exists already: nothing to do.") % {"slug": options["org"]}
            )
            self._print_logins([(email, role) for email, role, *_names in DEMO_MEMBERS])
            return
        counts = {**report.stored(), "imports": len(report.imports)}
        self.stdout.write(
            self.style.SUCCESS(
                _("Organization “%(name)s” (%(slug)s) created in %(duration)s: %(counts)s.")
                % {
                    "name": report.organization.name,
                    "slug": report.organization.slug,
                    "duration": seconds(time.monotonic() - started),
                    "counts": record_counts(counts),
                }
            )
        )
        self._print_logins(report.members)

    def _print_logins(self, members: list[tuple[str, str]]) -> None:
        for email, role in members:
            self.stdout.write(
                _("Log in as %(email)s (%(role)s), password %(password)s")
                % {"email": email, "role": Role(role).label, "password": DEMO_PASSWORD}
            )

    def _export(self, directory: Path, customers: int, seed: int, today: date, started: float) -> None:
        counts = export_demo(directory, customers=customers, seed=seed, today=today)
        self.stdout.write(
            self.style.SUCCESS(
                _("%(counts)s written to %(dir)s in %(duration)s.")
                % {
                    "counts": record_counts(counts.as_dict()),
                    "dir": directory,
                    "duration": seconds(time.monotonic() - started),
                }
            )
        )
        for name, encoding in FILES.values():
            self.stdout.write(f"  {directory / name} ({encoding})")
