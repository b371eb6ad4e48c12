"""`ecoute survey activate SLUG --org ORG`: make a survey active, as its page does, once its audience
reads well; the other active surveys whose audience overlaps are named with the customers in both."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ecoute.accounts.models import Organization
from ecoute.lib.quantities import grouped
from ecoute.listening.audiences import AudienceError
from ecoute.listening.models import Survey, SurveyStatus
from ecoute.listening.queries import audience_overlaps
from ecoute.listening.wave_actions import activate_survey

HELP = "Make a survey active, and name the active surveys whose audience overlaps."


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("slug", help="the survey's slug")
    parser.add_argument("--org", required=True, help="organization slug")


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    org = Organization.objects.filter(slug=options["org"]).first()
    if org is None:
        raise CommandError(_("No organization “%(slug)s”.") % {"slug": options["org"]})
    with translation.override(org.language):
        survey = Survey.objects.for_org(org).filter(slug=options["slug"]).first()
        if survey is None:
            raise CommandError(
                _("No survey “%(slug)s” in %(org)s.") % {"slug": options["slug"], "org": org.name}
            )
        if survey.status != SurveyStatus.ACTIVE:
            try:
                activate_survey(survey)
            except AudienceError as error:
                raise CommandError(
                    "\n".join([_("The survey's audience cannot be used:"), *error.problems])
                ) from error
        command.stdout.write(_("The survey “%(name)s” is active.") % {"name": survey.name})
        for overlap in audience_overlaps(survey):
            line = ngettext(
                "Its audience overlaps “%(name)s”: %(count)s customer in both.",
                "Its audience overlaps “%(name)s”: %(count)s customers in both.",
                overlap.customers,
            )
            command.stdout.write(line % {"name": overlap.survey.name, "count": grouped(overlap.customers)})
