"""What the console commands about one survey do first: find it in its organization by its slug."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from ecoute.accounts.models import Organization
from ecoute.listening.models import Survey


def survey_named(organization: Organization, slug: str) -> Survey:
    """The survey of `slug` in `organization` (another organization's is not found), or the
    CommandError that names it."""
    survey = Survey.objects.for_org(organization).filter(slug=slug).select_related("organization").first()
    if survey is None:
        raise CommandError(_("No survey “%(slug)s” in %(org)s.") % {"slug": slug, "org": organization.name})
    return survey
