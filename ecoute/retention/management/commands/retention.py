"""`ecoute retention status --org ORG`: recompute the customers' activity statuses now."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecoute.accounts.models import Organization
from ecoute.lib.quantities import grouped
from ecoute.retention.actions import recompute_organization_statuses
from ecoute.retention.models import ActivityStatus


class Command(BaseCommand):
    help = gettext_lazy("Retention: `ecoute retention status --org ORG` recomputes the customers' statuses.")  # type: ignore[assignment]

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.description = str(self.help)
        sub = parser.add_subparsers(dest="action", required=True)
        status = sub.add_parser("status", help=_("Recompute every customer's activity status now."))
        status.add_argument("--org", required=True, help=_("organization slug"))

    def handle(self, *args: Any, **options: Any) -> None:
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(_("No organization “%(slug)s”.") % {"slug": options["org"]})
        report = recompute_organization_statuses(organization)
        counts = " · ".join(
            _("%(status)s: %(count)s") % {"status": label, "count": grouped(report.counts.get(value, 0))}
            for value, label in ActivityStatus.choices
        )
        self.stdout.write(counts)
        self.stdout.write(_("Status changes recorded: %(count)s") % {"count": grouped(report.changes)})
