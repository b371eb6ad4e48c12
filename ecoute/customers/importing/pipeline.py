"""Run one import: check every row, then write in batches that a rerun redoes without duplicates.

Pass 1 reads the file once, converts every cell, collects the problems and spills the converted rows
to a temporary file, so memory does not grow with the file. Dates are only observed in pass 1: the
day/month order is decided from the whole column, then each distinct day is parsed once.
Pass 2 reads the spill back and upserts batches, each in its own transaction.

A million rows go through in about twice the time of the database's own bulk path (see
bench/import.py), so the per-row work is kept small: rows are converted in blocks, column by column
(a block with a problem is done again row by row, to name each problem); a date cell is read as a
cached day and a time of day; sales are turned into database rows a batch at a time; batches go in
without the conflict clause until one meets an existing key (see writers.py); the cycle collector is
paused while rows flow; on PostgreSQL the next batch is prepared while the server commits the last.
"""

import gc
import pickle
import queue
import tempfile
import threading
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction
from django.utils import timezone

from ecoute.customers.importing.cells import CellError, DateCells, as_text, converter_for
from ecoute.customers.importing.fields import FieldSpec, ValueType
from ecoute.customers.importing.kinds import (
    PLANS,
    ImportPlan,
    WriteContext,
    customer_ids_for,
    database_takes_naive_text,
    db_datetime_for_connection,
)
from ecoute.customers.importing.mapping import missing_fields, resolve_mapping
from ecoute.customers.importing.problems import REASONS, ImportFileError, RowProblem
from ecoute.customers.importing.records import RecordsTable
from ecoute.customers.importing.tags import set_customer_tags
from ecoute.customers.importing.writers import DistinctKeys, bulk_writing
from ecoute.lib.dates import DateColumn
from ecoute.lib.formula_safe import FormulaSafeCsvWriter
from ecoute.lib.tabular import open_table
from ecoute.lib.tabular_errors import InvalidValueError, TabularError

BATCH_SIZE = 50_000
MAX_PROBLEMS_KEPT = 1000
# Rows converted column by column at a time: small enough to stay in the processor's caches.
CONVERT_SIZE = 2000

type Progress = Callable[[str, int, int], None]


@dataclass
class ImportOutcome:
    rows: int = 0
    # Rows stored (created or updated; in a dry run, that would be), one per key: rows of the file
    # that repeat an earlier row's key are folded into it (the last wins) and counted as duplicates.
    written: int = 0
    duplicates: int = 0
    rejected_lines: dict[int, str] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)
    problem_count: int = 0
    # How the file was read (see Table.description): encoding, sheets, totals lines skipped.
    reading: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def add(self, problem: RowProblem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(problem)
        self.rejected_lines.setdefault(problem.line, problem.reason)


@dataclass
class ImportRequest:
    organization_id: int
    time_zone: str
    kind: str
    path: Path | None = None
    records: list[dict[str, Any]] | None = None  # rows sent to the API, keyed by field name
    overrides: list[str] = field(default_factory=list)
    mapping: dict[str, str] | None = None  # column position → field, as chosen on the web page
    skip_invalid: bool = False
    dry_run: bool = False
    rejects_path: Path | None = None
    # How to read the file: encoding, sheet, header_row (see open_table).
    reading_options: dict[str, Any] = field(default_factory=dict)


def _no_progress(_phase: str, _done: int, _total: int) -> None:
    return None


class _RowByRowError(Exception):
    """A batch to convert row by row, so that each problem is named."""


class _Pass1:
    """Convert every row, collect problems, spill good rows, observe dates."""

    def __init__(self, plan: ImportPlan, headers: list[str], columns: dict[int, FieldSpec]) -> None:
        self.plan = plan
        self.headers = headers
        self.columns = columns
        self.order = [spec.name for spec in columns.values()]
        self.dates = {spec.name: DateCells() for spec in columns.values() if spec.type is ValueType.DATETIME}
        # Per mapped column: where its cell is, how it is converted (a date is only observed, plain
        # text is converted inline: the most common cell), and whether it is required; prepared once
        # so that the per-row loop does no lookups.
        self.steps = [
            (
                index,
                spec.max_length if spec.type is ValueType.TEXT else None,
                self.dates[spec.name].observe if spec.type is ValueType.DATETIME else None,
                None if spec.type is ValueType.DATETIME else converter_for(spec),
                spec.required,
            )
            for index, spec in columns.items()
        ]
        self.customer_at = self.order.index("customer") if plan.needs_customers else -1
        self.customer_refs: dict[str, int] = {}
        self.unmapped = [i for i in range(len(headers)) if i not in columns]
        self.with_attributes = plan.kind == "customers"
        self.width = max(columns, default=-1) + 1

    def convert_batch(
        self, batch: list[tuple[int, list[Any]]], outcome: ImportOutcome
    ) -> list[tuple[int, tuple[Any, ...]]]:
        """The rows of `batch` that are good, converted; problems go to `outcome`.

        Column by column first, which is several times faster than row by row; a batch with any
        problem, or with cells that are not plain text, is done again row by row, which names each
        problem in the order of the file."""
        if not batch:
            return []
        try:
            good = self._convert_columns(batch)
        except (_RowByRowError, CellError, InvalidValueError, AttributeError, TypeError):
            good = None
        if good is None:
            good = []
            for line, cells in batch:
                values = self.convert(line, cells, outcome)
                if values is not None:
                    good.append((line, values))
        return good

    def _convert_columns(self, batch: list[tuple[int, list[Any]]]) -> list[tuple[int, tuple[Any, ...]]]:
        lines, rows = zip(*batch, strict=True)
        if min(map(len, rows)) < self.width:
            raise _RowByRowError
        transposed = list(zip(*rows, strict=False))  # the columns, as far as the shortest row goes
        columns: list[list[Any]] = []
        for index, text_limit, observe, convert, required in self.steps:
            raw = transposed[index]
            if text_limit is not None:
                # Text cells are str or None; anything else (a spreadsheet number) raises TypeError
                # or AttributeError, and the block goes row by row.
                if None in raw:
                    column = ["" if value is None else value.strip() for value in raw]
                else:
                    column = list(map(str.strip, raw))
                if text_limit and max(map(len, column)) > text_limit:
                    raise _RowByRowError
                if required and "" in column:
                    raise _RowByRowError
            elif observe is not None:
                column = [value.strip() if value.__class__ is str else value for value in raw]
                for _ in map(observe, column, lines):
                    pass
                if required and any(value is None or value == "" for value in column):
                    raise _RowByRowError
            else:
                column = list(map(convert, raw))  # type: ignore[arg-type]
                if required and any(value is None or value in ("", []) for value in column):
                    raise _RowByRowError
            columns.append(column)
        if self.customer_at >= 0:
            refs = self.customer_refs
            for ref, line in zip(columns[self.customer_at], lines, strict=True):
                if ref not in refs:
                    refs[ref] = line
        if self.with_attributes:
            headers, unmapped = self.headers, self.unmapped
            columns.append(
                [
                    {headers[i]: as_text(cells[i]) for i in unmapped if i < len(cells) and cells[i]}
                    for cells in rows
                ]
            )
        return list(zip(lines, zip(*columns, strict=True), strict=True))

    def convert(self, line: int, cells: list[Any], outcome: ImportOutcome) -> tuple[Any, ...] | None:
        values: list[Any] = []
        append = values.append
        bad = False
        width = len(cells)
        for index, text_limit, observe, convert, required in self.steps:
            raw = cells[index] if index < width else None
            value: Any
            try:
                if text_limit is not None and raw.__class__ is str:
                    value = raw.strip()
                    if text_limit and len(value) > text_limit:
                        raise CellError("too_long", max_length=text_limit)
                elif observe is not None:
                    value = raw.strip() if raw.__class__ is str else raw
                    observe(value, line)
                else:
                    value = convert(raw)  # type: ignore[misc]
            except (CellError, InvalidValueError) as error:
                outcome.add(RowProblem(line, self.headers[index], as_text(raw), error.code, error.params))
                bad = True
                continue
            if required and (value is None or value in ("", [])):
                outcome.add(RowProblem(line, self.headers[index], "", "required"))
                bad = True
            append(value)
        if bad:
            return None
        if self.customer_at >= 0:
            ref = values[self.customer_at]
            if ref not in self.customer_refs:
                self.customer_refs[ref] = line
        if self.with_attributes:
            attributes = {
                self.headers[i]: as_text(cells[i]) for i in self.unmapped if i < len(cells) and cells[i]
            }
            append(attributes)
        return tuple(values)


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
            outcome = ImportOutcome()
            with tempfile.TemporaryFile(prefix="ecoute-import-") as spill:
                first = _Pass1(plan, table.headers, columns)
                _check_rows(table.rows(ragged="keep"), first, outcome, spill, progress)
                if not isinstance(table, RecordsTable):
                    outcome.reading = table.description()
                if outcome.rows == 0:
                    raise ImportFileError("no_rows")
                to_database = _resolve_dates(first, request.time_zone, outcome)
                customer_ids = _resolve_customers(plan, first, request.organization_id, outcome)
                if not outcome.ok and not request.skip_invalid:
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
                )
            if request.rejects_path is not None and outcome.rejected_lines and not request.dry_run:
                _write_rejects(table, outcome, request.rejects_path)
    except TabularError as error:
        raise ImportFileError(error.code, **error.params) from error
    return outcome


def _columns(table: Any, plan: ImportPlan, request: ImportRequest) -> dict[int, FieldSpec]:
    """Column index → field: by exact name for records, as guessed and corrected for a file."""
    if not isinstance(table, RecordsTable):
        return resolve_mapping(table.headers, plan.fields, request.overrides, request.mapping)
    if missing := missing_fields(table.columns, plan.fields):
        raise ImportFileError(
            "missing_columns", fields=", ".join(s.name for s in missing), found=", ".join(table.headers)
        )
    return table.columns


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


def _check_rows(
    rows: Iterator[tuple[int, list[Any]]],
    first: _Pass1,
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


def _resolve_dates(first: _Pass1, zone: str, outcome: ImportOutcome) -> dict[str, Callable[[Any], Any]]:
    """Decide each date column's day/month order from all its values; per column, cell → database value."""
    converters: dict[str, Callable[[Any], Any]] = {}
    header_of = {spec.name: first.headers[i] for i, spec in first.columns.items()}
    db_datetime, naive_text = db_datetime_for_connection(), database_takes_naive_text()
    for name, cells in first.dates.items():
        try:
            parse = cells.column.resolve()
        except InvalidValueError as error:
            line = error.params.get("month_first_line")
            outcome.add(
                RowProblem(
                    line if isinstance(line, int) else 0,
                    header_of[name],
                    str(error.params.get("month_first_value", "")),
                    error.code,
                    error.params,
                )
            )
            # Read as French (day first); the rows that do not fit are rejected when written.
            parse = DateColumn(day_first=True).resolve()
        converters[name] = cells.to_database(parse, zone, db_datetime, naive_text=naive_text)
    return converters


def _resolve_customers(
    plan: ImportPlan, first: _Pass1, organization_id: int, outcome: ImportOutcome
) -> dict[str, int]:
    if not plan.needs_customers:
        return {}
    ids = customer_ids_for(organization_id, first.customer_refs)
    column = next(first.headers[i] for i, spec in first.columns.items() if spec.name == "customer")
    for ref, line in first.customer_refs.items():
        if ref not in ids:
            outcome.add(RowProblem(line, column, ref, "unknown_customer"))
    return ids


def _write_rows(
    request: ImportRequest,
    plan: ImportPlan,
    first: _Pass1,
    spill: IO[bytes],
    *,
    to_database: dict[str, Callable[[Any], Any]],
    customer_ids: dict[str, int],
    outcome: ImportOutcome,
    progress: Progress,
) -> None:
    """Write the spilled rows in batches, and count them by key; a dry run only counts."""
    names = first.order + (["attributes"] if plan.kind == "customers" else [])
    mapped = frozenset(first.order) | ({"attributes"} if plan.kind == "customers" else set())
    ctx = WriteContext(
        request.organization_id, customer_ids, mapped, timezone.now(), db_datetime_for_connection()
    )
    upsert = plan.upsert(mapped)
    batches = _database_rows(plan, names, spill, ctx=ctx, to_database=to_database, outcome=outcome)
    if connection.vendor == "postgresql":
        # The server checks a batch's foreign keys at its commit while this process waits: the next
        # batch is prepared meanwhile. Not on SQLite, which writes within this process.
        batches = _one_ahead(batches)
    done = 0
    keys = DistinctKeys(upsert)
    try:
        with bulk_writing():
            for count, db_rows, tags in batches:
                done += count
                if request.dry_run:
                    progress("validating", done, outcome.rows)
                else:
                    with transaction.atomic():
                        upsert.write(db_rows)
                        if tags:
                            set_customer_tags(request.organization_id, tags)
                        # Within the batch's transaction: a caller that no longer holds the import raises
                        # here, and the batch is not committed.
                        progress("writing", done, outcome.rows)
                keys.add(db_rows)
                outcome.written += len(db_rows)
    finally:
        batches.close()
    outcome.duplicates = outcome.written - keys.count()
    outcome.written -= outcome.duplicates
    if not request.dry_run:
        with transaction.atomic():
            plan.after_write(request.organization_id, set(customer_ids.values()))


type _Batch = tuple[int, list[tuple[Any, ...]], list[tuple[str, list[str]]]]


def _database_rows(
    plan: ImportPlan,
    names: list[str],
    spill: IO[bytes],
    *,
    ctx: WriteContext,
    to_database: dict[str, Callable[[Any], Any]],
    outcome: ImportOutcome,
) -> Generator[_Batch]:
    """Per spilled batch: its number of rows, its database rows, and the tags of its customers.

    Works on plain values only, never on the database: it may run in another thread."""
    date_fields = [(names.index(n), to_database[n]) for n in to_database]
    customer_at = names.index("customer") if plan.needs_customers else -1
    tags_at = names.index("tags") if "tags" in names else -1
    external_at = names.index("external_id") if "external_id" in names else -1
    customer_ids = ctx.customer_ids
    build = plan.row_builder(names, ctx)
    build_batch = plan.batch_builder(names, ctx, to_database)
    rejected = outcome.rejected_lines
    invalid_date, unknown_customer = str(REASONS["invalid_date"]), str(REASONS["unknown_customer"])
    while True:
        try:
            batch = pickle.load(spill)  # noqa: S301 - our own spill file
        except EOFError:
            return
        tags: list[tuple[str, list[str]]] = []
        built = build_batch([values for _line, values in batch]) if build_batch else None
        db_rows: list[tuple[Any, ...]] = built if built is not None else []
        for line, values in batch if built is None else ():
            row = list(values)
            # Swap raw dates for database values; a bad date or an unknown customer rejects the row.
            for at, convert in date_fields:
                raw = row[at]
                if raw is None or raw == "":
                    row[at] = None
                    continue
                try:
                    row[at] = convert(raw)
                except (InvalidValueError, ValueError):
                    rejected.setdefault(line, invalid_date)
                    break
            else:
                if customer_at >= 0 and row[customer_at] not in customer_ids:
                    rejected.setdefault(line, unknown_customer)
                    continue
                db_rows.append(build(row))
                if tags_at >= 0:
                    tags.append((row[external_at], row[tags_at]))
        count = len(batch)
        del batch, built  # not kept while the caller writes
        yield count, db_rows, tags


def _one_ahead[T](items: Iterator[T]) -> Generator[T]:
    """`items`, drawn by a thread one item ahead of the caller (never more: each is a batch of rows
    in memory); close it when done."""
    handoff: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=1)
    taken, stop = threading.Event(), threading.Event()

    def offer(message: tuple[str, Any]) -> bool:
        """Hand `message` over, and wait until the caller takes it before drawing the next item."""
        taken.clear()
        handoff.put(message)  # the slot is free: the previous message was taken
        while not taken.wait(0.05):
            if stop.is_set():
                return False
        return True

    def produce() -> None:
        try:
            for item in items:
                if not offer(("item", item)):
                    return
        except BaseException as error:  # handed to the caller, raised there
            offer(("error", error))
        else:
            offer(("end", None))

    thread = threading.Thread(target=produce, name="import-batches", daemon=True)
    thread.start()
    try:
        while True:
            kind, item = handoff.get()
            taken.set()
            if kind == "end":
                return
            if kind == "error":
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def _write_rejects(table: Any, outcome: ImportOutcome, path: Path) -> None:
    """The rejected rows as they were in the file, with a last column saying why; a cell that a spreadsheet
    would run as a formula is neutralised (the importer reads it back as it was)."""
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        writer = FormulaSafeCsvWriter(out, delimiter=";")
        writer.writerow([*table.headers, "reason"])
        for line, cells in table.rows(ragged="keep"):
            reason = outcome.rejected_lines.get(line)
            if reason is not None:
                writer.writerow([as_text(c) for c in cells] + [reason])
