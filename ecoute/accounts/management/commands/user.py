import getpass
import sys
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ecoute.accounts.actions import MembershipError, give_admin_access, give_role
from ecoute.accounts.commands import organization_named
from ecoute.accounts.models import Role


class Command(BaseCommand):
    help = gettext_lazy("Manage people: `ecoute user create EMAIL --org SLUG --role ROLE [--password P]`.")  # type: ignore[assignment]

    def add_arguments(self, parser: ArgumentParser) -> None:
        # Translated now, in the language of the run; argparse wraps it with `re`, which wants a str.
        parser.description = str(self.help)
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser(
            "create",
            help=_("Create a person (or give an existing one a role) in an organization."),
        )
        create.add_argument("email")
        create.add_argument("--org", required=True, help=_("organization slug"))
        create.add_argument("--role", required=True, choices=[r.value for r in Role])
        create.add_argument("--password", help=_("prompted for when omitted on a terminal"))
        access = create.add_mutually_exclusive_group()
        access.add_argument(
            "--staff",
            action="store_true",
            help=_("also give read-only access to the support admin"),
        )
        access.add_argument(
            "--superuser",
            action="store_true",
            help=_("also make a superuser, with every right in the support admin"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(_("“%(email)s” is not a valid e-mail address.") % {"email": email}) from error
        org = organization_named(options["org"])
        password = options["password"]
        if password is None and sys.stdin.isatty():
            password = self._prompt_password()
        if password:
            try:
                validate_password(password)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
        try:
            membership, created, revoked = give_role(org, email, options["role"], password=password)
        except MembershipError as error:
            raise CommandError(str(error)) from error
        if options["staff"] or options["superuser"]:
            give_admin_access(membership.user, superuser=options["superuser"])
        details = {"email": email, "role": membership.get_role_display(), "org": org.slug}
        if created:
            done = _("%(email)s: account created, %(role)s of %(org)s.") % details
        else:
            done = _("%(email)s: account updated, %(role)s of %(org)s.") % details
        self.stdout.write(self.style.SUCCESS(done))
        if created and not password:
            self.stdout.write(_("No password set: use “Forgot your password?” on the login page."))
        if revoked:
            self.stdout.write(
                ngettext(
                    "%(count)d API key they made is revoked: their new role does not manage keys.",
                    "%(count)d API keys they made are revoked: their new role does not manage keys.",
                    revoked,
                )
                % {"count": revoked}
            )

    def _prompt_password(self) -> str:
        for _attempt in range(3):
            first = getpass.getpass(_("Password: "))
            if first == getpass.getpass(_("Password (again): ")):
                return first
            self.stderr.write(_("The passwords differ, try again."))
        raise CommandError(_("No password given."))
