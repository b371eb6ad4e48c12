from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_slug
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecoute.accounts.actions import create_organization
from ecoute.accounts.models import Organization


class Command(BaseCommand):
    help = gettext_lazy("Manage organizations: `ecoute org create SLUG --name NAME`, `ecoute org list`.")  # type: ignore[assignment]

    def add_arguments(self, parser: ArgumentParser) -> None:
        # Translated now, in the language of the run; argparse wraps it with `re`, which wants a str.
        parser.description = str(self.help)
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help=_("Create an organization."))
        create.add_argument("slug")
        create.add_argument("--name", required=True)
        create.add_argument("--language", default="fr", choices=["fr", "en"])
        create.add_argument("--time-zone", default="Europe/Paris")
        sub.add_parser("list", help=_("List organizations."))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for org in Organization.objects.order_by("slug"):
                self.stdout.write(f"{org.slug}\t{org.name}\t{org.language}\t{org.time_zone}")
            return
        slug = options["slug"]
        try:
            validate_slug(slug)
        except ValidationError as error:
            raise CommandError(
                _("Invalid slug “%(slug)s”: use letters, digits, - and _.") % {"slug": slug}
            ) from error
        if Organization.objects.filter(slug=slug).exists():
            raise CommandError(_("An organization “%(slug)s” already exists.") % {"slug": slug})
        try:
            org = create_organization(slug, options["name"], options["language"], options["time_zone"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                _("Organization “%(name)s” created (%(slug)s).") % {"name": org.name, "slug": org.slug}
            )
        )
