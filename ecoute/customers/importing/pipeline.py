"""Run one import: check every row, then write in batches that a rerun redoes without duplicates.

Pass 1 (first_pass.py) reads the file once, converts every cell, collects the problems and spills the
converted rows to a temporary file, so memory does not grow with the file. Dates are only observed in
pass 1: the day/month order is decided from the whole column (resolution.py), then each distinct day is
parsed once. Pass 2 reads the spill back and upserts batches, each in its own transaction; the lines of
a sale that spans several lines are held until the end of the file and written as one sale (sales.py).

A million rows go through in about twice the time of the database's own bulk path (see
bench/import.py), so the per-row work is kept small: rows are converted in blocks, column by column
(a block with a problem is done again row by row, to name each problem); a date cell is read as a
cached day and a time of day; sales are turned into database rows a batch at a time; batches go in
without the conflict clause until one meets an existing key (see writers.py); the cycle collector is
paused while rows flow; on PostgreSQL the next batch is prepared while the server commits the last.
"""

import dataclasses
import gc
import itertools
import pickle
import tempfile
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from typing import IO, Any

from django.db import connection, transaction
from django.utils import timezone

from ecoute.customers.importing.cells import as_text
from ecoute.customers.importing.crm_fields import crm_field_columns
from ecoute.customers.importing.field_spec import FieldSpec
from ecoute.customers.importing.fields import ITEM_FIELDS
from ecoute.customers.importing.first_pass import FirstPass
from ecoute.customers.importing.handoff import one_ahead
from ecoute.customers.importing.kinds import (
    PLANS,
    ImportPlan,
    WriteContext,
)
from ecoute.customers.importing.mapping import CRM_FIELD, missing_fields, resolve_mapping
from ecoute.customers.importing.problems import REASONS, ImportFileError, ImportNote, RowProblem
from ecoute.customers.importing.records import RecordsTable
from ecoute.customers.importing.rejects import write_rejects_if_asked
from ecoute.customers.importing.request import ImportOutcome, ImportRequest
from ecoute.customers.importing.resolution import resolve_customers, resolve_dates
from ecoute.customers.importing.sales import (
    SaleGatherer,
    SaleLine,
    item_lines,
    shown_groups,
    write_sale_lines,
)
from ecoute.customers.importing.tags import set_customer_tags
from ecoute.customers.importing.writers import DistinctKeys, bulk_writing, db_datetime_for_connection
from ecoute.lib.tabular import open_table
from ecoute.lib.tabular_errors import InvalidValueError, TabularError

BATCH_SIZE = 50_000
# Rows converted column by column at a time: small enough to stay in the processor's caches.
CONVERT_SIZE = 2000

type Progress = Callable[[str, int, int], None]


def _no_progress(_phase: str, _done: int, _total: int) -> None:
    return None


def _open_source(request: ImportRequest) -> Any:
    if request.records is not None:
        return RecordsTable(request.records, PLANS[request.kind].fields)
    if request.path is None:
        raise ValueError("an import reads a file or records")
    return open_table(request.path, **request.reading_options)


def run_import(request: ImportRequest, progress: Progress = _no_progress) -> ImportOutcome:
    plan = PLANS.get(request.kind)
    if plan is None:
        raise ImportFileError("unknown_kind", kind=request.kind)
    try:
        with _open_source(request) as table, _cycle_collection_paused():
            columns = _columns(table, plan, request)
            crm_columns = _crm_columns(table, plan, request, columns)
            outcome = ImportOutcome()
            outcome.mapping = [
                (header, columns[i].name if i in columns else CRM_FIELD if i in crm_columns else None)
                for i, header in enumerate(table.headers)
            ]
            with tempfile.TemporaryFile(prefix="ecoute-import-") as spill:
                first = FirstPass(plan, table.headers, columns, request, crm_columns=crm_columns)
                check_rows(table.rows(ragged="keep"), first, outcome, spill, progress)
                _note_repeated_ids(plan, first, outcome)
                if not isinstance(table, RecordsTable):
                    outcome.reading = table.description()
                if outcome.rows == 0:
                    raise ImportFileError("no_rows")
                rejected_in_pass_1 = len(outcome.rejected_lines)
                to_database = resolve_dates(first, request.time_zone, outcome)
                customer_ids = resolve_customers(plan, first, request.organization_id, outcome, spill)
                # Rows found bad once the whole file was seen (a time skipped by the clocks…) were
                # spilled as good: they are left out when written.
                late = set(itertools.islice(outcome.rejected_lines, rejected_in_pass_1, None))
                if not outcome.ok and not request.skip_invalid:
                    write_rejects_if_asked(table, outcome, request.rejects_path)
                    return outcome
                spill.seek(0)
                _write_rows(
                    request,
                    plan,
                    first,
                    spill,
                    to_database=to_database,
                    customer_ids=customer_ids,
                    outcome=outcome,
                    progress=progress,
                    late_rejected=late,
                )
            write_rejects_if_asked(table, outcome, request.rejects_path)
    except TabularError as error:
        raise ImportFileError(error.code, **error.params) from error
    return outcome


def _columns(table: Any, plan: ImportPlan, request: ImportRequest) -> dict[int, FieldSpec]:
    """Column index → field: by exact name for records, as guessed and corrected for a file."""
    if not isinstance(table, RecordsTable):
        return resolve_mapping(table.headers, plan.fields, request.overrides, request.mapping)
    if missing := missing_fields(table.columns, plan.fields):
        raise ImportFileError(
            "missing_columns",
            count=len(missing),
            fields=", ".join(s.name for s in missing),
            found=", ".join(table.headers),
        )
    return table.columns


def _crm_columns(
    table: Any, plan: ImportPlan, request: ImportRequest, columns: dict[int, FieldSpec]
) -> list[int]:
    """The columns kept as CRM fields: every `attributes` key of records, as chosen or guessed in a file."""
    if plan.kind != "customers":
        return []
    if isinstance(table, RecordsTable):
        return [i for i in range(len(table.headers)) if i not in columns]
    return crm_field_columns(
        table.headers, plan.kind, set(columns), overrides=request.overrides, chosen=request.mapping
    )


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """Rows are tuples and lists of plain values, without reference cycles to collect; but the cycle
    collector would traverse the millions of them alive in batches again and again, a tenth of an
    import's time. It is paused while the rows flow, and restored as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check_rows(
    rows: Iterator[tuple[int, list[Any]]],
    first: FirstPass,
    outcome: ImportOutcome,
    spill: IO[bytes],
    progress: Progress,
) -> None:
    pending: list[tuple[int, list[Any]]] = []
    batch: list[tuple[int, tuple[Any, ...]]] = []
    expected = len(first.headers)
    for line, cells in rows:
        outcome.rows += 1
        # A short row is an error too: its values would land in the wrong fields.
        if len(cells) < expected or (
            len(cells) > expected and any(c not in (None, "") for c in cells[expected:])
        ):
            outcome.add(
                RowProblem(line, "", "", "wrong_field_count", {"found": len(cells), "expected": expected})
            )
            continue
        pending.append((line, cells))
        if len(pending) >= CONVERT_SIZE:
            batch += first.convert_batch(pending, outcome)
            pending = []
            if len(batch) >= BATCH_SIZE:
                _spill(batch, spill)
                batch = []
            # At every block, even of rejected rows: the caller's lease is renewed with progress.
            progress("validating", outcome.rows, 0)
    batch += first.convert_batch(pending, outcome)
    if batch:
        _spill(batch, spill)


def _spill(batch: list[tuple[int, tuple[Any, ...]]], spill: IO[bytes]) -> None:
    # Rows are plain values without cycles: no memo, which makes dumping several times faster.
    pickler = pickle.Pickler(spill, pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(batch)


def _write_rows(
    request: ImportRequest,
    plan: ImportPlan,
    first: FirstPass,
    spill: IO[bytes],
    *,
    to_database: dict[str, Callable[[Any], Any]],
    customer_ids: dict[str, int],
    outcome: ImportOutcome,
    progress: Progress,
    late_rejected: set[int],
) -> None:
    """Write the spilled rows in batches, and count them by key; a dry run only counts."""
    names = first.order + (["attributes"] if plan.kind == "customers" else [])
    mapped = frozenset(first.order) | ({"attributes"} if plan.kind == "customers" else set())
    ctx = WriteContext(
        request.organization_id,
        customer_ids,
        mapped,
        timezone.now(),
        db_datetime_for_connection(),
        in_france=request.time_zone == "Europe/Paris",
        job_id=request.job_id,
    )
    upsert = dataclasses.replace(plan.upsert(mapped), job_id=request.job_id)
    gatherer = None
    if plan.kind == "transactions" and first.keys is not None:
        gatherer = SaleGatherer(names, first.keys.repeated)
    with_items = plan.kind == "transactions" and bool(mapped & ITEM_FIELDS)
    batches = _database_rows(
        plan,
        names,
        _spilled(spill, gatherer, late_rejected),
        ctx=ctx,
        to_database=to_database,
        outcome=outcome,
        with_items=with_items,
        headers={spec.name: first.headers[i] for i, spec in first.columns.items()},
    )
    if connection.vendor == "postgresql":
        # The server checks a batch's foreign keys at its commit while this process waits: the next
        # batch is prepared meanwhile. Not on SQLite, which writes within this process.
        batches = one_ahead(batches)
    done = 0
    keys = DistinctKeys(upsert)
    try:
        with bulk_writing():
            for count, db_rows, tags, items in batches:
                done += count
                if request.dry_run:
                    progress("validating", done, outcome.rows)
                else:
                    with transaction.atomic():
                        upsert.write(db_rows)
                        if tags:
                            set_customer_tags(request.organization_id, tags)
                        write_sale_lines(request.organization_id, items)
                        # Within the batch's transaction: a caller that no longer holds the import raises
                        # here, and the batch is not committed.
                        progress("writing", done, outcome.rows)
                keys.add(db_rows)
                outcome.written += len(db_rows)
    finally:
        batches.close()
    outcome.duplicates = outcome.written - keys.count()
    outcome.written -= outcome.duplicates
    _note_repeats(plan, first, gatherer, outcome)
    if not request.dry_run:
        with transaction.atomic():
            plan.after_write(request.organization_id, set(customer_ids.values()))


type _Batch = tuple[int, list[tuple[Any, ...]], list[tuple[str, list[str]]], list[SaleLine]]
type _Spilled = tuple[list[tuple[int, tuple[Any, ...]]], dict[Any, list[tuple[Any, ...]]] | None, int]


def _spilled(spill: IO[bytes], gatherer: SaleGatherer | None, rejected: set[int]) -> Iterator[_Spilled]:
    """The spilled batches less the `rejected` lines, the lines of sales spanning several lines held
    back; then those sales, one row each, with their lines."""
    while True:
        try:
            batch = pickle.load(spill)  # noqa: S301 - our own spill file
        except EOFError:
            break
        if rejected:
            batch = [row for row in batch if row[0] not in rejected]
        yield (batch if gatherer is None else gatherer.hold(batch)), None, len(batch)
    if gatherer is not None and gatherer.held:
        held = sum(map(len, gatherer.held.values()))
        yield (*gatherer.sales(), held)


def _note_repeated_ids(plan: ImportPlan, first: FirstPass, outcome: ImportOutcome) -> None:
    """Say which ids come on several lines, with their lines: the last line of each wins (a sale's
    lines are its items, said once they are gathered)."""
    code = REPEATED_ID_NOTES.get(plan.kind)
    if code is not None and first.keys is not None and first.keys.repeated:
        outcome.notes.append(
            ImportNote(code, {"count": len(first.keys.repeated), "shown": first.keys.shown()})
        )
    if first.keys is not None and (alike := first.keys.alike()):
        outcome.notes.append(ImportNote("ids_alike", {"count": len(alike), "shown": shown_groups(alike)}))


REPEATED_ID_NOTES = {
    "customers": "customer_repeated",
    "interactions": "id_repeated",
    "loyalty-acts": "id_repeated",
}


def _note_repeats(
    plan: ImportPlan, first: FirstPass, gatherer: SaleGatherer | None, outcome: ImportOutcome
) -> None:
    """Say which lines were gathered into sales, or folded as duplicates."""
    if gatherer is not None:
        outcome.duplicates += gatherer.duplicates
        if gatherer.lines:
            outcome.notes.append(
                ImportNote("sale_lines", {"lines": gatherer.lines, "sales": gatherer.sales_count})
            )


def _database_rows(
    plan: ImportPlan,
    names: list[str],
    spilled: Iterator[_Spilled],
    *,
    ctx: WriteContext,
    to_database: dict[str, Callable[[Any], Any]],
    outcome: ImportOutcome,
    with_items: bool = False,
    headers: dict[str, str] | None = None,
) -> Generator[_Batch]:
    """Per spilled batch: its number of rows, its database rows, the tags of its customers, and the
    item lines of its sales.

    Works on plain values only, never on the database: it may run in another thread."""
    headers = headers or {}
    date_fields = [(names.index(n), to_database[n], headers.get(n, "")) for n in to_database]
    customer_at = names.index("customer") if plan.needs_customers else -1
    tags_at = names.index("tags") if "tags" in names else -1
    external_at = names.index("external_id") if "external_id" in names else -1
    customer_ids = ctx.customer_ids
    build = plan.row_builder(names, ctx)
    build_batch = plan.batch_builder(names, ctx, to_database)
    rejected = outcome.rejected_lines
    unknown_customer = str(REASONS["unknown_customer"])
    for batch, gathered, count in spilled:
        if not batch:  # every line of the batch held back for a sale of several lines
            yield count, [], [], []
            continue
        tags: list[tuple[str, list[str]]] = []
        built = build_batch([values for _line, values in batch]) if build_batch else None
        db_rows: list[tuple[Any, ...]] = built if built is not None else []
        kept: list[tuple[Any, ...]] = [values for _line, values in batch] if built is not None else []
        for line, values in batch if built is None else ():
            row = list(values)
            # Swap raw dates for database values; a bad date or an unknown customer rejects the row.
            for at, convert, header in date_fields:
                raw = row[at]
                if raw is None or raw == "":
                    row[at] = None
                    continue
                try:
                    row[at] = convert(raw)
                except (InvalidValueError, ValueError):
                    # Pass 1 checks every date the way it is written here: never silent if that fails.
                    outcome.add(RowProblem(line, header, as_text(raw), "invalid_date"))
                    break
            else:
                if customer_at >= 0 and row[customer_at] not in customer_ids:
                    rejected.setdefault(line, unknown_customer)
                    continue
                db_rows.append(build(row))
                kept.append(values)
                if tags_at >= 0:
                    tags.append((row[external_at], row[tags_at]))
        items: list[SaleLine] = []
        if gathered is not None:
            # A sale gathered from several lines: their number is the row's last column.
            by_key = {values[external_at]: len(gathered[values[external_at]]) for values in kept}
            db_rows = [
                (*db_row[:-1], by_key[values[external_at]])
                for db_row, values in zip(db_rows, kept, strict=True)
            ]
        if with_items:
            for db_row, values in zip(db_rows, kept, strict=True):
                sale_lines = gathered[values[external_at]] if gathered is not None else [values]
                items += item_lines(names, db_row[1], sale_lines)
        del batch, built  # not kept while the caller writes
        yield count, db_rows, tags, items
