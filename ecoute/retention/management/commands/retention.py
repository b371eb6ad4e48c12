"""`ecoute retention status --org ORG` recomputes the customers' activity statuses now;
`ecoute retention score --org ORG` fits the lifetime models and stores every customer's score."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ecoute.accounts.commands import organization_named
from ecoute.accounts.models import Organization
from ecoute.lib.quantities import grouped
from ecoute.retention.actions import recompute_organization_statuses
from ecoute.retention.models import ActivityStatus
from ecoute.retention.scores import score_and_classify


class Command(BaseCommand):
    help = gettext_lazy(
        "Retention: `ecoute retention status --org ORG` recomputes the customers' statuses; "
        "`ecoute retention score --org ORG` scores them with the lifetime models."
    )  # type: ignore[assignment]

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.description = str(self.help)
        sub = parser.add_subparsers(dest="action", required=True)
        status = sub.add_parser("status", help=_("Recompute every customer's activity status now."))
        status.add_argument("--org", required=True, help=_("organization slug"))
        score = sub.add_parser(
            "score", help=_("Fit the lifetime models and store every customer's score and status now.")
        )
        score.add_argument("--org", required=True, help=_("organization slug"))

    def handle(self, *args: Any, **options: Any) -> None:
        organization = organization_named(options["org"])
        # The organization's language, as every command working in one speaks.
        with translation.override(organization.language):
            self._run(organization, options["action"])

    def _run(self, organization: Organization, action: str) -> None:
        if action == "score":
            self._score(organization)
            return
        report = recompute_organization_statuses(organization)
        counts = " · ".join(
            _("%(status)s: %(count)s") % {"status": label, "count": grouped(report.counts.get(value, 0))}
            for value, label in ActivityStatus.choices
        )
        self.stdout.write(counts)
        self.stdout.write(_("Status changes recorded: %(count)s") % {"count": grouped(report.changes)})

    def _score(self, organization: Organization) -> None:
        report = score_and_classify(organization)
        for model, message in report.warnings:
            self.stderr.write(f"{model}: {message}")
        if report.unreliable:
            raise CommandError(
                ngettext(
                    "No lifetime model describes the purchases of %(customers)s customer "
                    "(see above why): no score is stored, those of the last sound fit are kept.",
                    "No lifetime model describes the purchases of %(customers)s customers "
                    "(see above why): no score is stored, those of the last sound fit are kept.",
                    report.customers,
                )
                % {"customers": grouped(report.customers)}
            )
        if report.scored_model is None:
            self.stdout.write(_("No purchases yet: no customer to score."))
            return
        self.stdout.write(
            ngettext(
                "%(customers)s customer scored with %(model)s.",
                "%(customers)s customers scored with %(model)s.",
                report.customers,
            )
            % {"customers": grouped(report.customers), "model": report.scored_model}
        )
