from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ecoute.accounts.commands import organization_named
from ecoute.customers.import_undo import UndoRefusedError, undo_import
from ecoute.customers.models import ImportJob
from ecoute.lib.quantities import grouped


class Command(BaseCommand):
    help = (
        "Undo an import: remove the rows it added and the customers it created, put back the rows it "
        "changed; refused whole when anything changed them since."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("job", type=int, help="the import's number (ecoute import prints it)")
        parser.add_argument("--org", required=True, help="organization slug")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            help="language of the messages (default: the organization's)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        org = organization_named(options["org"])
        with translation.override(options["language"] or org.language):
            job = ImportJob.objects.for_org(org).filter(pk=options["job"]).first()
            if job is None:
                raise CommandError(
                    _("No import #%(id)s in %(org)s.") % {"id": options["job"], "org": org.slug}
                )
            try:
                plan = undo_import(job)
            except UndoRefusedError as refused:
                raise CommandError(
                    " ".join([_("Import #%(id)s cannot be undone:") % {"id": job.pk}, *refused.reasons])
                ) from refused
            removed = ngettext("%(count)s row removed", "%(count)s rows removed", plan.removed) % {
                "count": grouped(plan.removed)
            }
            restored = ngettext(
                "%(count)s row put back as it was", "%(count)s rows put back as they were", plan.restored
            ) % {"count": grouped(plan.restored)}
            self.stdout.write(
                self.style.SUCCESS(
                    _("Import #%(id)s undone: %(removed)s, %(restored)s.")
                    % {"id": job.pk, "removed": removed, "restored": restored}
                )
            )
