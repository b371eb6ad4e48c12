"""Import survey answers collected elsewhere (another survey tool's export, a spreadsheet) into a survey.

The importer's own parts read the file: the reader and its encodings and sheets, the column guess and
--map, pass 1 of the pipeline (each cell converted, dates observed, problems collected), the date
columns' day/month order, the problems and their sentences, the rejects file. What is particular to
answers: one column per question, read after its type (answer_cells.py), each row's customer found by
CRM id or e-mail (response_rows.py), and the writes: a response and its answers per row, in batches of
one transaction each, with a key (the other tool's response id, else a digest of the customer, the date
and the answers) that a rerun finds, so that it adds nothing twice and resumes after a crash.
Imported responses have no invitation and the channel "import"; they count like any other.
"""

import pickle
import tempfile
from collections.abc import Callable
from typing import IO, Any

from django.db import IntegrityError, transaction

from ecoute.analytics.nps import level_of
from ecoute.customers.importing.first_pass import FirstPass
from ecoute.customers.importing.kinds import ImportPlan
from ecoute.customers.importing.pipeline import check_rows
from ecoute.customers.importing.problems import ImportFileError, ImportNote
from ecoute.customers.importing.rejects import write_rejects_if_asked
from ecoute.customers.importing.request import ImportOutcome, ImportRequest
from ecoute.customers.importing.resolution import resolve_dates
from ecoute.customers.models import Customer
from ecoute.lib.tabular import open_table
from ecoute.lib.tabular_errors import TabularError
from ecoute.listening.flow import answer_language
from ecoute.listening.models import Answer, QuestionType, Response, ResponseChannel, Survey
from ecoute.listening.response_columns import map_columns
from ecoute.listening.response_rows import ImportedResponse, ResponseRows

KIND = "responses"
BATCH_SIZE = 1000
# A batch that meets a response another process has just written is read again and retried.
WRITE_ATTEMPTS = 3
_PLAN = ImportPlan(KIND, fields=(), needs_customers=False)

type Progress = Callable[[str, int, int], None]


def _no_progress(_phase: str, _done: int, _total: int) -> None:
    return None


def import_responses(
    survey: Survey, request: ImportRequest, progress: Progress = _no_progress
) -> ImportOutcome:
    """Check every row of the file, then (unless a row is bad and `skip_invalid` is off, or in a dry
    run) store a completed response per good row not imported before."""
    if request.path is None:
        raise ValueError("an import of responses reads a file")
    questions = list(survey.questions.all())
    outcome = ImportOutcome()
    try:
        with open_table(request.path, **request.reading_options) as table:
            columns = map_columns(table.headers, questions, request.overrides)
            outcome.mapping = [
                (header, columns[i].name if i in columns else None) for i, header in enumerate(table.headers)
            ]
            first = FirstPass(_PLAN, table.headers, columns, request)
            with tempfile.TemporaryFile(prefix="ecoute-responses-") as spill:
                check_rows(table.rows(ragged="keep"), first, outcome, spill, progress)
                outcome.reading = table.description()
                if outcome.rows == 0:
                    raise ImportFileError("no_rows")
                to_database = resolve_dates(first, request.time_zone, outcome)
                responses = _responses(survey, first, _spilled(spill), to_database["answered_at"], outcome)
            # Found in pass 1, then when rows became responses: said in the order of the file.
            outcome.problems.sort(key=lambda problem: problem.line)
            if outcome.ok or request.skip_invalid:
                _store(survey, responses, outcome, dry_run=request.dry_run, progress=progress)
                write_rejects_if_asked(table, outcome, request.rejects_path)
    except TabularError as error:
        raise ImportFileError(error.code, **error.params) from error
    return outcome


def _spilled(spill: IO[bytes]) -> list[tuple[int, tuple[Any, ...]]]:
    """The rows pass 1 found good, back from its spill file. A file of answers is read whole: survey
    answers come by thousands, not by millions like sales."""
    spill.seek(0)
    rows: list[tuple[int, tuple[Any, ...]]] = []
    while True:
        try:
            rows += pickle.load(spill)  # noqa: S301 - our own spill file
        except EOFError:
            return rows


def _responses(
    survey: Survey,
    first: FirstPass,
    rows: list[tuple[int, tuple[Any, ...]]],
    answered_at: Callable[[Any], Any],
    outcome: ImportOutcome,
) -> list[ImportedResponse]:
    """A response per good row, in the order of the file; the problems of the others in `outcome`."""
    reader = ResponseRows(survey, first, answered_at, outcome)
    # Rows found bad once the whole file was seen (a time skipped by the clocks…) are left out.
    late = set(outcome.rejected_lines)
    rows = [(line, values) for line, values in rows if line not in late]
    reader.find_customers(rows)
    found = [reader.response(line, values) for line, values in rows]
    return [response for response in found if response is not None]


def _store(
    survey: Survey,
    responses: list[ImportedResponse],
    outcome: ImportOutcome,
    *,
    dry_run: bool,
    progress: Progress,
) -> None:
    """Store the responses not stored before, by batches of one transaction each; a dry run counts the
    same ones without writing. A row whose key came earlier in the file is folded into that row."""
    unique: dict[str, ImportedResponse] = {}
    for response in responses:
        unique.setdefault(response.key, response)
    outcome.duplicates += len(responses) - len(unique)
    todo = list(unique.values())
    already = 0
    languages = _languages(survey, {response.customer_id for response in todo})
    for start in range(0, len(todo), BATCH_SIZE):
        batch = todo[start : start + BATCH_SIZE]
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with transaction.atomic():
                    stored = _stored_keys(survey, [response.key for response in batch])
                    new = [response for response in batch if response.key not in stored]
                    if not dry_run:
                        _write(survey, new, languages)
                    progress("validating" if dry_run else "writing", start + len(batch), len(todo))
                break
            except IntegrityError:
                if attempt == WRITE_ATTEMPTS:
                    raise
        already += len(stored)
        outcome.written += len(new)
    if already:
        outcome.notes.append(ImportNote("responses_already_imported", {"count": already}))


def _stored_keys(survey: Survey, keys: list[str]) -> set[str]:
    return set(
        Response.objects.filter(survey=survey, import_key__in=keys).values_list("import_key", flat=True)
    )


def _languages(survey: Survey, customer_ids: set[int]) -> dict[int, str]:
    """Each customer's language of answer: theirs when the survey speaks it, else the organization's."""
    organization = survey.organization
    wanted = sorted(customer_ids)
    languages: dict[int, str] = {}
    for start in range(0, len(wanted), 5000):
        for customer_id, language in Customer.objects.filter(pk__in=wanted[start : start + 5000]).values_list(
            "id", "language"
        ):
            languages[customer_id] = answer_language(survey, organization, Customer(language=language))
    return languages


def _write(survey: Survey, batch: list[ImportedResponse], languages: dict[int, str]) -> None:
    responses = [
        Response(
            organization_id=survey.organization_id,
            survey=survey,
            customer_id=row.customer_id,
            channel=ResponseChannel.IMPORT,
            language=languages.get(row.customer_id, "fr"),
            started_at=row.answered_at,
            completed_at=row.answered_at,
            nps_level=_nps_level(row),
            import_key=row.key,
        )
        for row in batch
    ]
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(
        value.answer(response, question, row.answered_at)
        for response, row in zip(responses, batch, strict=True)
        for question, value in row.answers
    )


def _nps_level(row: ImportedResponse) -> str:
    """The level of the response's NPS answer, as a response answered here gets it."""
    score = next(
        (value.number for question, value in row.answers if question.type == QuestionType.NPS),
        None,
    )
    return "" if score is None else str(level_of(score))
