"""`ecoute survey activate SLUG --org ORG`: put a survey to work, as its page's "Activate" button does,
and say which active surveys ask some of the same customers."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ecoute.accounts.commands import organization_named
from ecoute.lib.quantities import grouped
from ecoute.listening.audiences import AudienceError
from ecoute.listening.commands import survey_named
from ecoute.listening.models import SurveyStatus
from ecoute.listening.queries import audience_overlaps
from ecoute.listening.wave_actions import activate_survey

HELP = "Make a survey active (its audience checked first), naming the active surveys it overlaps."


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("slug", help="the survey's slug")
    parser.add_argument("--org", required=True, help="organization slug")


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    org = organization_named(options["org"])
    with translation.override(org.language):
        survey = survey_named(org, options["slug"])
        if survey.status == SurveyStatus.ACTIVE:
            command.stdout.write(_("The survey “%(name)s” is already active.") % {"name": survey.name})
            return
        try:
            activate_survey(survey)
        except AudienceError as error:
            raise CommandError(
                "\n".join([_("The survey's audience cannot be used:"), *error.problems])
            ) from error
        command.stdout.write(_("The survey “%(name)s” is active.") % {"name": survey.name})
        for overlap in audience_overlaps(survey):
            command.stdout.write(
                ngettext(
                    "%(count)s customer is also in the audience of the active survey “%(name)s”.",
                    "%(count)s customers are also in the audience of the active survey “%(name)s”.",
                    overlap.customers,
                )
                % {"count": grouped(overlap.customers), "name": overlap.survey.name}
            )
