import json
import os
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ecoute.accounts.commands import organization_named
from ecoute.accounts.models import Organization
from ecoute.customers.actions import rejects_not_written, run_import_job, start_import_job
from ecoute.customers.import_lease import ImportLease, LeaseLostError, claim_import_run
from ecoute.customers.importing.kind_guess import looks_like
from ecoute.customers.importing.mapping import CRM_FIELD
from ecoute.customers.importing.problems import ImportFileError
from ecoute.customers.importing.reading import reading_notes
from ecoute.customers.importing.request import ImportOutcome
from ecoute.customers.models import RUNNING_STATUSES, ImportJob, ImportKind, ImportStatus
from ecoute.lib.dates import ORDERS
from ecoute.lib.progress import TerminalProgress
from ecoute.lib.quantities import grouped
from ecoute.lib.tabular import open_table
from ecoute.lib.tabular_errors import TabularError
from ecoute.listening.response_import_command import RESPONSES, import_survey_responses, responses_survey

SHOWN_PROBLEMS = 50
# The first rows whose values tell which kind of file it is.
PREVIEW_ROWS = 10


class Command(BaseCommand):
    help = (
        "Import customers, consents, transactions, interactions, loyalty acts, or a survey's responses "
        "(with --survey) from a CSV, xlsx or ods file."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("kind", choices=[*(k.value for k in ImportKind), RESPONSES])
        parser.add_argument("file", type=Path)
        parser.add_argument("--org", required=True, help="organization slug")
        parser.add_argument("--survey", metavar="SLUG", help="with responses: the survey answered")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=field",
            help="feed a field from a column, overriding the guess (repeatable)",
        )
        parser.add_argument(
            "--skip-invalid", action="store_true", help="import the valid rows, reject the others"
        )
        parser.add_argument(
            "--rejects", type=Path, help="with --skip-invalid: write rejected rows here, with a reason"
        )
        parser.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
        parser.add_argument(
            "--keep-kind",
            action="store_true",
            help="import as the kind given even when the file looks like another kind",
        )
        parser.add_argument(
            "--encoding",
            help="encoding of a CSV file (utf-8, utf-16, cp1252, iso-8859-15, cp850, mac-roman); "
            "found from the file when not given",
        )
        parser.add_argument(
            "--sheet", help="sheet of a workbook to import, or 'all' for every sheet of the same shape"
        )
        parser.add_argument(
            "--header-row",
            type=int,
            metavar="N",
            help="line (or sheet row) holding the column names; found by content when not given",
        )
        parser.add_argument(
            "--date-order",
            choices=ORDERS,
            help="read numeric dates day first (dmy), month first (mdy) or year first (ymd)",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="print the report as JSON (counts, mapping, encoding, sheet, notes)",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            help="language of the messages (default: the organization's)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        org = organization_named(options["org"])
        with translation.override(options["language"] or org.language):
            self._import(org, options)

    def _import(self, org: Organization, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        _check_options(path, options)
        survey = responses_survey(org, options)
        if survey is None and not options["keep_kind"]:
            _refuse_another_kind(path, options)
        lease = None if survey else self._claim(org, path.resolve(), options)
        progress = TerminalProgress(sys.stderr)
        try:
            if survey is not None:
                outcome = import_survey_responses(survey, path, options, reading_options(options), progress)
            elif lease is not None:
                outcome = run_import_job(
                    lease,
                    overrides=options["map"],
                    rejects_path=options["rejects"],
                    progress=progress,
                    date_order=options["date_order"],
                )
        except ImportFileError as error:
            progress.close()
            raise CommandError(error.describe()) from error
        except LeaseLostError as error:
            progress.close()
            raise CommandError(
                _("Another process took this import over and is finishing it (import #%(id)s).")
                % {"id": lease.job.pk if lease else ""}
            ) from error
        progress.close()
        job = None if lease is None else lease.job
        if job is not None:
            job.refresh_from_db()
        if options["json"]:
            report = json_report(
                outcome,
                job,
                kind=options["kind"],
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
            )
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            for note in reading_notes(outcome.reading):
                self.stdout.write(note.describe())
            self._say_how_it_was_read(outcome)
        for problem in outcome.problems[:SHOWN_PROBLEMS]:
            self.stderr.write(problem.describe())
        if outcome.problem_count > SHOWN_PROBLEMS:
            self.stderr.write(
                _("… and %(count)s more problems.") % {"count": outcome.problem_count - SHOWN_PROBLEMS}
            )
        if not outcome.ok and not options["skip_invalid"]:
            raise CommandError(
                _(
                    "Nothing was imported: %(problems)s in %(rows)s. Fix the file, or use "
                    "--skip-invalid --rejects FILE to import the valid rows."
                )
                % {
                    "problems": ngettext("%(count)s problem", "%(count)s problems", outcome.problem_count)
                    % {"count": grouped(outcome.problem_count)},
                    "rows": ngettext("%(count)s row", "%(count)s rows", outcome.rows)
                    % {"count": grouped(outcome.rows)},
                }
            )
        if outcome.rejects_error is not None:
            # The valid rows are stored, but not the file asked for: not a success to a script either.
            if not options["json"]:
                self.stdout.write(summary(outcome, dry_run=False, kind=options["kind"]) + ".")
            raise CommandError(rejects_not_written(outcome))
        if options["json"]:
            return
        if options["dry_run"]:
            self.stdout.write(
                _("Dry run, nothing written: %(summary)s.")
                % {"summary": summary(outcome, dry_run=True, kind=options["kind"])}
            )
            return
        self.stdout.write(self.style.SUCCESS(summary(outcome, dry_run=False, kind=options["kind"]) + "."))
        rejects = job.rejects_path if job is not None else outcome.rejects_path
        if rejects:
            self.stdout.write(_("Rejected rows written to %(path)s.") % {"path": rejects})

    def _say_how_it_was_read(self, outcome: ImportOutcome) -> None:
        """The columns imported into each field, the columns ignored, and the notes."""
        used = [(header, name) for header, name in outcome.mapping if name and name != CRM_FIELD]
        kept = [header for header, name in outcome.mapping if name == CRM_FIELD]
        ignored = [header for header, name in outcome.mapping if not name]
        self.stdout.write(
            _("Columns imported: %(columns)s.")
            % {"columns": ", ".join(f"{header or '?'} → {name}" for header, name in used)}
        )
        if kept:
            self.stdout.write(
                ngettext(
                    "Column kept as a CRM field: %(columns)s.",
                    "Columns kept as CRM fields: %(columns)s.",
                    len(kept),
                )
                % {"columns": ", ".join(header or "?" for header in kept)}
            )
        if ignored:
            self.stdout.write(
                ngettext("Column ignored: %(columns)s.", "Columns ignored: %(columns)s.", len(ignored))
                % {"columns": ", ".join(header or "?" for header in ignored)}
            )
        for note in outcome.notes:
            self.stdout.write(note.describe())

    def _claim(self, org: Organization, path: Path, options: dict[str, Any]) -> ImportLease:
        """This run's hold on its import: the interrupted import of the same file, resumed, or a new one.

        The same command run again after a crash is how a user resumes an import from the command
        line: it takes over the job left behind instead of leaving it interrupted beside a new one."""
        earlier = (
            ImportJob.objects.for_org(org)
            .filter(
                kind=options["kind"],
                stored_path=str(path),
                dry_run=options["dry_run"],
                status__in=RUNNING_STATUSES,
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        if earlier is None:
            return start_import_job(
                org,
                options["kind"],
                path,
                original_name=path.name,
                skip_invalid=options["skip_invalid"],
                dry_run=options["dry_run"],
                reading_options=reading_options(options),
            )
        lease = claim_import_run(earlier.pk) if earlier.is_interrupted else None
        if lease is None:
            raise CommandError(self._still_running(earlier))
        lease.renew(skip_invalid=options["skip_invalid"])
        started = timezone.localtime(earlier.created_at, ZoneInfo(org.time_zone))
        self.stdout.write(
            _(
                "Resuming import #%(id)s of %(file)s, started on %(started)s and interrupted: the rows it "
                "already wrote are updated, not duplicated."
            )
            % {
                "id": earlier.pk,
                "file": path.name,
                "started": formats.date_format(started, "SHORT_DATETIME_FORMAT"),
            }
        )
        return lease

    def _still_running(self, job: ImportJob) -> str:
        expires = job.lease_expires_at or timezone.now()
        seconds = max(1, round((expires - timezone.now()).total_seconds()))
        return ngettext(
            "%(file)s is being imported by another process (import #%(id)s). Wait for it to finish; if that "
            "process was stopped, run this command again in %(seconds)s second to resume the import.",
            "%(file)s is being imported by another process (import #%(id)s). Wait for it to finish; if that "
            "process was stopped, run this command again in %(seconds)s seconds to resume the import.",
            seconds,
        ) % {"file": job.original_name, "id": job.pk, "seconds": seconds}


def _check_options(path: Path, options: dict[str, Any]) -> None:
    if not path.is_file():
        raise CommandError(_("No file at %(path)s.") % {"path": path})
    if options["rejects"] and not options["skip_invalid"]:
        raise CommandError(_("--rejects goes with --skip-invalid."))
    if options["rejects"]:
        _check_rejects_destination(options["rejects"], path)
    if options["header_row"] is not None and options["header_row"] < 1:
        raise CommandError(_("--header-row is a line number, from 1."))


def _refuse_another_kind(path: Path, options: dict[str, Any]) -> None:
    """Refuse, before anything is written, a file that looks like another kind than the one given."""
    try:
        chosen: dict[str, Any] = reading_options(options)
        with open_table(path, **chosen) as table:
            headers, rows = table.headers, table.preview(PREVIEW_ROWS)
    except TabularError:
        return  # said by the import itself, with its reason
    guess = looks_like(headers, rows, options["kind"])
    if guess is not None:
        raise CommandError(
            _(
                "%(question)s Run: ecoute import %(kind)s %(file)s … — or add --keep-kind to import it as "
                "%(chosen)s all the same."
            )
            % {
                "question": guess.sentence(),
                "kind": guess.kind,
                "file": path,
                "chosen": ImportKind(options["kind"]).label,
            }
        )


def _check_rejects_destination(rejects: Path, source: Path) -> None:
    """Refuse, before anything is imported, a rejects file that would overwrite the file being imported
    or cannot be written: found after the valid rows are written, it would lose the rejected ones."""
    target = rejects.resolve()
    if target == source.resolve() or (target.exists() and source.exists() and target.samefile(source)):
        raise CommandError(
            _("--rejects names the file being imported: %(path)s. Choose another file.") % {"path": source}
        )
    writable = os.access(target, os.W_OK) if target.exists() else os.access(target.parent, os.W_OK | os.X_OK)
    if (target.exists() and not target.is_file()) or not target.parent.is_dir() or not writable:
        raise CommandError(
            _("The rejects file cannot be written at %(path)s: choose a file in an existing folder.")
            % {"path": rejects}
        )


def reading_options(options: dict[str, Any]) -> dict[str, object]:
    """The options saying how to read the file, as open_table takes them."""
    chosen = {"encoding": options["encoding"], "sheet": options["sheet"], "header_row": options["header_row"]}
    return {name: value for name, value in chosen.items() if value is not None}


def summary(outcome: ImportOutcome, *, dry_run: bool, kind: str = "") -> str:
    """ "2 rows imported, 1 duplicate line folded, 0 rejected, from 3 lines", in the active language."""

    count = grouped

    written, duplicates = outcome.written, outcome.duplicates
    rejected, lines = len(outcome.rejected_lines), outcome.rows
    if kind == "transactions":
        # A sale may gather several lines: the count is of sales.
        if dry_run:
            sentence = ngettext("%(count)s sale to import", "%(count)s sales to import", written)
        else:
            sentence = ngettext("%(count)s sale imported", "%(count)s sales imported", written)
        parts = [sentence % {"count": count(written)}]
    elif dry_run:
        parts = [
            ngettext("%(count)s row to import", "%(count)s rows to import", written)
            % {"count": count(written)}
        ]
    else:
        parts = [
            ngettext("%(count)s row imported", "%(count)s rows imported", written) % {"count": count(written)}
        ]
    if duplicates:
        parts.append(
            ngettext(
                "%(count)s duplicate line folded into an earlier one",
                "%(count)s duplicate lines folded into earlier ones",
                duplicates,
            )
            % {"count": count(duplicates)}
        )
    parts.append(ngettext("%(count)s rejected", "%(count)s rejected", rejected) % {"count": count(rejected)})
    parts.append(ngettext("from %(count)s line", "from %(count)s lines", lines) % {"count": count(lines)})
    return ", ".join(parts)


def json_report(
    outcome: ImportOutcome, job: ImportJob | None, *, kind: str, dry_run: bool, skip_invalid: bool = False
) -> dict[str, Any]:
    """The report of `ecoute import --json`: what a script needs to act on the outcome (an import of
    responses runs in the command, without an import job)."""
    if job is not None:
        status = job.status
    elif not outcome.ok and not skip_invalid:
        status = ImportStatus.FAILED
    else:
        status = ImportStatus.CHECKED if dry_run else ImportStatus.SUCCEEDED
    return {
        "import": job.pk if job else None,
        "kind": kind,
        "status": status,
        "dry_run": dry_run,
        "counts": {
            "lines": outcome.rows,
            "written": outcome.written,
            "duplicates": outcome.duplicates,
            "rejected": len(outcome.rejected_lines),
            "problems": outcome.problem_count,
        },
        "mapping": [{"column": header, "field": name} for header, name in outcome.mapping],
        "ignored_columns": [header for header, name in outcome.mapping if not name],
        "encoding": outcome.reading.get("encoding"),
        "sheet": outcome.reading.get("sheet"),
        "reading": outcome.reading,
        "notes": [note.as_dict() for note in outcome.notes],
        "problems": [{**problem.as_dict(), "message": problem.describe()} for problem in outcome.problems],
        "rejects_file": (job.rejects_path if job else str(outcome.rejects_path or "")) or None,
    }
