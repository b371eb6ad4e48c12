"""Delete the files of finished or abandoned imports after a while: they hold personal data."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from ecoute.customers.actions import purge_import_files


class Command(BaseCommand):
    help = (
        "Delete the uploaded files and rejects files of imports finished, or interrupted and never "
        "resumed, more than --days ago, and older files that no import refers to (files given on the "
        "command line are the user's own and are never touched)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--days", type=int, default=30, help="age in days (default 30)")

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = purge_import_files(older_than_days=max(0, options["days"]))
        self.stdout.write(_("%(count)s import files deleted.") % {"count": deleted})
