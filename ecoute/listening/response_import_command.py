"""`ecoute import responses FILE --org ORG --survey SLUG`: the part of the import command particular to
survey answers. The command's options, checks and report are those of every other kind."""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from ecoute.accounts.models import Organization
from ecoute.customers.importing.request import ImportOutcome, ImportRequest
from ecoute.listening.commands import survey_named
from ecoute.listening.models import Survey
from ecoute.listening.response_import import KIND, Progress, import_responses

RESPONSES = KIND


def responses_survey(organization: Organization, options: dict[str, Any]) -> Survey | None:
    """The survey whose responses are imported (None for the other kinds); a survey of another
    organization is not found, like one that does not exist."""
    slug = options.get("survey")
    if options["kind"] != RESPONSES:
        if slug:
            raise CommandError(_("--survey goes with responses: ecoute import responses FILE --survey SLUG."))
        return None
    if not slug:
        raise CommandError(_("Say which survey was answered: --survey SLUG."))
    return survey_named(organization, slug)


def import_survey_responses(
    survey: Survey, path: Path, options: dict[str, Any], reading: dict[str, object], progress: Progress
) -> ImportOutcome:
    """Run the import of `path` into `survey` as the command's options say; `reading` says how to read
    the file (encoding, sheet, header row)."""
    organization = survey.organization
    request = ImportRequest(
        organization_id=organization.pk,
        time_zone=organization.time_zone,
        kind=RESPONSES,
        path=path,
        overrides=options["map"],
        skip_invalid=options["skip_invalid"],
        dry_run=options["dry_run"],
        rejects_path=options["rejects"],
        reading_options=reading,
        date_order=options["date_order"],
    )
    return import_responses(survey, request, progress)
