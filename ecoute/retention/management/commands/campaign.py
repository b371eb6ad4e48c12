"""`ecoute campaign results NAME-OR-ID --org ORG [--json] [--language fr|en]`: a reactivation
campaign's report, as text in the reader's language or as JSON (ecoute/retention/campaign_console.py)."""

import json
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from ecoute.accounts.commands import organization_named
from ecoute.retention.campaign_console import campaign_named, results_json, results_text


class Command(BaseCommand):
    help = gettext_lazy(
        "Reactivation campaigns: `ecoute campaign results NAME-OR-ID --org ORG` prints a campaign's report."
    )  # type: ignore[assignment]

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.description = str(self.help)
        sub = parser.add_subparsers(dest="action", required=True)
        results = sub.add_parser("results", help="print a launched campaign's report")
        results.add_argument("campaign", help="the campaign's name, or its id")
        results.add_argument("--org", required=True, help="organization slug")
        results.add_argument("--json", action="store_true", help="print the report as JSON")
        results.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            help="language of the report (default: the organization's)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organization = organization_named(options["org"])
        with translation.override(options["language"] or organization.language):
            campaign = campaign_named(organization, options["campaign"])
            now = timezone.now()
            if options["json"]:
                self.stdout.write(json.dumps(results_json(campaign, now), ensure_ascii=False, indent=2))
            else:
                self.stdout.write(results_text(campaign, now), ending="")
