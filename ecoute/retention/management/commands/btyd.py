"""`manage.py btyd FILE`: the lifetime models on a transactions file (see ecoute.retention.btyd_job)."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ecoute.retention.btyd_job import DESCRIPTION, add_arguments, run_job
from ecoute.retention.btyd_options import BtydError


class Command(BaseCommand):
    help = DESCRIPTION
    requires_system_checks: list[str] = []  # noqa: RUF012 - Django's declared type

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run_job(options, self.stdout, self.stderr)
        except BtydError as error:
            raise CommandError(str(error)) from None
