"""What every console command that works in an organization does first: find it by its slug."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from ecoute.accounts.models import Organization


def organization_named(slug: str) -> Organization:
    """The organization of `slug`, or the CommandError that names the slug nobody has."""
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        raise CommandError(_("No organization “%(slug)s”.") % {"slug": slug})
    return organization
