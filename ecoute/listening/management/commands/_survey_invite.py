"""`ecoute survey invite SLUG --org ORG [--dry-run] [--json]`: plan a wave (or the invitations now due)
and queue its e-mails; the dry run says what would happen, from the same query, and writes nothing."""

import json
from argparse import ArgumentParser
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ecoute.accounts.commands import organization_named
from ecoute.listening.audiences import AudienceError
from ecoute.listening.commands import survey_named
from ecoute.listening.contact_policy import AlwaysQuietError
from ecoute.listening.models import SkipReason, Survey
from ecoute.listening.planning import Preview, preview
from ecoute.listening.wave_actions import SurveyNotActiveError, invite

HELP = "Invite the survey's audience (a wave, or the invitations now due for a transactional survey)."


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("slug", help="the survey's slug")
    parser.add_argument("--org", required=True, help="organization slug")
    parser.add_argument("--dry-run", action="store_true", help="say who would be invited, write nothing")
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    org = organization_named(options["org"])
    with translation.override(org.language):
        survey = survey_named(org, options["slug"])
        try:
            report = _dry_run(survey) if options["dry_run"] else _invite(survey)
        except AudienceError as error:
            raise CommandError(
                "\n".join([_("The survey's audience cannot be used:"), *error.problems])
            ) from error
        except AlwaysQuietError as error:
            raise CommandError(_("The contact policy makes every day quiet: nothing can be sent.")) from error
        except SurveyNotActiveError as error:
            raise CommandError(
                _(
                    "The survey “%(slug)s” is not active: activate it first "
                    "(ecoute survey activate %(slug)s --org %(org)s), or use --dry-run."
                )
                % {"slug": survey.slug, "org": org.slug}
            ) from error
        command.stdout.write(
            json.dumps(report, ensure_ascii=False) if options["json"] else _describe(survey, report)
        )


def _invite(survey: Survey) -> dict[str, Any]:
    planned = invite(survey)
    return {
        "survey": survey.slug,
        "dry_run": False,
        "wave": planned.wave.pk if planned.wave else None,
        "send_at": planned.send_at.isoformat(),
        **planned.counts(),
    }


def _dry_run(survey: Survey) -> dict[str, Any]:
    seen: Preview = preview(survey)
    return {
        "survey": survey.slug,
        "dry_run": True,
        "wave": None,
        "send_at": seen.send_at.isoformat(),
        **seen.counts(),
        "samples": {
            reason or "planned": [customer.external_id for customer in customers]
            for reason, customers in seen.samples.items()
        },
    }


def _describe(survey: Survey, report: dict[str, Any]) -> str:
    zone = ZoneInfo(survey.organization.time_zone)
    when = formats.date_format(datetime.fromisoformat(report["send_at"]).astimezone(zone), "DATETIME_FORMAT")
    planned, skipped = report["planned"], sum(report["skipped"].values())
    lines = [_("Dry run: nothing was written.")] if report["dry_run"] else []
    lines.append(
        ngettext("%(count)s customer invited", "%(count)s customers invited", planned) % {"count": planned}
        + ", "
        + ngettext("%(count)s skipped", "%(count)s skipped", skipped) % {"count": skipped}
        + " — "
        + _("sent from %(when)s.") % {"when": when}
    )
    samples = report.get("samples", {})
    for reason, count in report["skipped"].items():
        line = "  " + _("%(reason)s: %(count)s") % {"reason": SkipReason(reason).label, "count": count}
        if samples.get(reason):
            line += " (" + _("for example %(ids)s") % {"ids": ", ".join(samples[reason])} + ")"
        lines.append(line)
    return "\n".join(lines)
