"""`ecoute survey export SLUG --org ORG [--output FILE]`, `ecoute survey import FILE --org ORG`, and
`ecoute survey activate SLUG --org ORG` (in `_survey_activate.py`), `ecoute survey invite SLUG --org ORG
[--dry-run] [--json]` (in `_survey_invite.py`)."""

import json
import os
import tempfile
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ecoute.accounts.models import Organization
from ecoute.listening.actions import import_survey
from ecoute.listening.management.commands import _survey_activate, _survey_invite
from ecoute.listening.models import Survey
from ecoute.listening.survey_files import MAX_FILE_BYTES, SurveyFileError, export_survey, parse_json


class Command(BaseCommand):
    help = (
        "Export a survey with its questions to JSON, create or update a survey from such a file, "
        "or invite its audience."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write a survey as JSON")
        export.add_argument("slug")
        export.add_argument("--output", type=Path, help="file to write (default: the standard output)")
        load = sub.add_parser("import", help="create or update a survey from a JSON file")
        load.add_argument("file", type=Path)
        _survey_activate.add_arguments(sub.add_parser("activate", help=_survey_activate.HELP))
        _survey_invite.add_arguments(sub.add_parser("invite", help=_survey_invite.HELP))
        for command in (export, load):
            command.add_argument("--org", required=True, help="organization slug")
            command.add_argument(
                "--language",
                choices=[code for code, _name in settings.LANGUAGES],
                help="language of the messages (default: the organization's)",
            )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] in ("activate", "invite"):
            (_survey_activate if options["action"] == "activate" else _survey_invite).run(self, options)
            return
        org = Organization.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(_("No organization “%(slug)s”.") % {"slug": options["org"]})
        with translation.override(options["language"] or org.language):
            if options["action"] == "export":
                self._export(org, options["slug"], options["output"])
            else:
                self._import(org, options["file"])

    def _export(self, org: Organization, slug: str, output: Path | None) -> None:
        survey = Survey.objects.for_org(org).filter(slug=slug).first()
        if survey is None:
            raise CommandError(_("No survey “%(slug)s” in %(org)s.") % {"slug": slug, "org": org.name})
        text = json.dumps(export_survey(survey), ensure_ascii=False, indent=2) + "\n"
        if output is None:
            self.stdout.write(text, ending="")
            return
        _write_whole(output, text)
        self.stderr.write(_("Survey “%(slug)s” written to %(file)s.") % {"slug": slug, "file": output})

    def _import(self, org: Organization, path: Path) -> None:
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise CommandError(
                    _("%(file)s is too large (%(size)s bytes; at most %(limit)s).")
                    % {"file": path, "size": size, "limit": MAX_FILE_BYTES}
                )
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(
                _("Cannot read %(file)s: %(reason)s") % {"file": path, "reason": error}
            ) from error
        try:
            survey, created = import_survey(org, parse_json(text))
        except IntegrityError as error:
            raise CommandError(
                _("The survey was changed by someone else at the same moment: run the import again.")
            ) from error
        except SurveyFileError as error:
            for problem in error.problems:
                self.stderr.write(f"{path}: {problem}")
            raise CommandError(
                _("%(file)s was not imported: nothing was changed.") % {"file": path}
            ) from error
        count = survey.questions.count()
        if created:
            message = ngettext(
                "Survey “%(slug)s” created with %(count)s question.",
                "Survey “%(slug)s” created with %(count)s questions.",
                count,
            )
        else:
            message = ngettext(
                "Survey “%(slug)s” updated: %(count)s question.",
                "Survey “%(slug)s” updated: %(count)s questions.",
                count,
            )
        self.stdout.write(self.style.SUCCESS(message % {"slug": survey.slug, "count": count}))


def _write_whole(path: Path, text: str) -> None:
    """Write the file whole or not at all: a failure never leaves half a survey behind."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
