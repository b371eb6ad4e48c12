import getpass
import sys
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from ecoute.accounts.actions import add_member
from ecoute.accounts.models import Organization, Role


class Command(BaseCommand):
    help = "Manage people: `ecoute user create EMAIL --org SLUG --role ROLE [--password P]`."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser(
            "create", help="Create a person (or give an existing one a role) in an organization."
        )
        create.add_argument("email")
        create.add_argument("--org", required=True, help="organization slug")
        create.add_argument("--role", required=True, choices=[r.value for r in Role])
        create.add_argument("--password", help="prompted for when omitted on a terminal")
        create.add_argument("--staff", action="store_true", help="also give access to the support admin")

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(_("“%(email)s” is not a valid e-mail address.") % {"email": email}) from error
        org = Organization.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(_("No organization “%(slug)s”.") % {"slug": options["org"]})
        password = options["password"]
        if password is None and sys.stdin.isatty():
            password = self._prompt_password()
        if password:
            try:
                validate_password(password)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
        membership, created = add_member(org, email, options["role"], password=password)
        if options["staff"]:
            membership.user.is_staff = membership.user.is_superuser = True
            membership.user.save(update_fields=["is_staff", "is_superuser"])
        verb = _("created") if created else _("updated")
        self.stdout.write(
            self.style.SUCCESS(
                _("%(email)s %(verb)s: %(role)s of %(org)s.")
                % {"email": email, "verb": verb, "role": membership.get_role_display(), "org": org.slug}
            )
        )
        if created and not password:
            self.stdout.write(_("No password set: use “Forgot your password?” on the login page."))

    def _prompt_password(self) -> str:
        for _attempt in range(3):
            first = getpass.getpass(_("Password: "))
            if first == getpass.getpass(_("Password (again): ")):
                return first
            self.stderr.write(_("The passwords differ, try again."))
        raise CommandError(_("No password given."))
