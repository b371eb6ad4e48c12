"""What is decided once every row has been checked: each date column's order and clock changes, and
which customers the rows refer to."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any

from django.utils import timezone

from ecoute.customers.importing.cells import as_text
from ecoute.customers.importing.date_cells import local_time_problem
from ecoute.customers.importing.problems import ImportNote, RowProblem
from ecoute.customers.importing.sales import SHOWN_LINES
from ecoute.customers.importing.writers import (
    customer_ids_for,
    database_takes_naive_text,
    db_datetime_for_connection,
)
from ecoute.lib.dates import DateColumn
from ecoute.lib.tabular_errors import InvalidValueError

if TYPE_CHECKING:
    from ecoute.customers.importing.first_pass import FirstPass
    from ecoute.customers.importing.kinds import ImportPlan
    from ecoute.customers.importing.request import ImportOutcome


def date_window() -> tuple[int, int]:
    """The years a date of an import may fall in: from 1950 to next year. Earlier or later is a typo
    (0024, 2099) or a placeholder (1900-01-01), never a sale or a contact."""
    return FIRST_PLAUSIBLE_YEAR, timezone.now().year + 1


FIRST_PLAUSIBLE_YEAR = 1950


def resolve_dates(first: FirstPass, zone: str, outcome: ImportOutcome) -> dict[str, Callable[[Any], Any]]:
    """Decide each date column's day/month order from all its values; per column, cell → database value.

    The local times of the days when the clocks change are checked once the order is known: one that
    does not exist is a problem, one that happens twice is read as the first (summer time), with a note."""
    converters: dict[str, Callable[[Any], Any]] = {}
    header_of = {spec.name: first.headers[i] for i, spec in first.columns.items()}
    db_datetime, naive_text = db_datetime_for_connection(), database_takes_naive_text()
    for name, cells in first.dates.items():
        header = header_of[name]
        try:
            parse = cells.column.resolve()
        except InvalidValueError as error:
            # The problem of a column, said at the line of the value that decided it: that row is rejected.
            line = error.params.get("month_first_line", error.params.get("line"))
            outcome.add(
                RowProblem(
                    line if isinstance(line, int) else 0,
                    header,
                    str(error.params.get("month_first_value") or error.params.get("value", "")),
                    error.code,
                    error.params,
                )
            )
            # Read as French (day first); the rows that do not fit are rejected when written.
            parse = DateColumn(day_first=True).resolve()
        else:
            minority = cells.column.minority_evidence()
            if minority is not None:
                outcome.notes.append(ImportNote("date_order_minority", {"column": header, **minority}))
        ambiguous: list[int] = []
        for value, line in cells.clock_change_cells:
            problem = local_time_problem(parse(value), cells.zone)
            if problem == "nonexistent_local_time":
                outcome.add(RowProblem(line, header, as_text(value), problem, {"zone": zone}))
            elif problem == "ambiguous_local_time":
                ambiguous.append(line)
        if ambiguous:
            outcome.notes.append(
                ImportNote(
                    "ambiguous_local_time",
                    {
                        "column": header,
                        "count": len(ambiguous),
                        "lines": first_lines(ambiguous),
                        "zone": zone,
                    },
                )
            )
        converters[name] = cells.to_database(parse, zone, db_datetime, naive_text=naive_text)
    return converters


def first_lines(lines: list[int], shown: int = 5) -> str:
    return ", ".join(map(str, lines[:shown])) + (" …" if len(lines) > shown else "")


def resolve_customers(
    plan: ImportPlan, first: FirstPass, organization_id: int, outcome: ImportOutcome, spill: IO[bytes]
) -> dict[str, int]:
    """CRM id → customer id; an unknown CRM id is one problem, at its first line, with its number of
    lines and the first of them (found in the spill: only when some id is unknown)."""
    if not plan.needs_customers:
        return {}
    ids = customer_ids_for(organization_id, first.customer_refs)
    column = next(first.headers[i] for i, spec in first.columns.items() if spec.name == "customer")
    unknown = {ref: line for ref, line in first.customer_refs.items() if ref not in ids}
    if not unknown:
        return ids
    lines: dict[str, list[int]] = {ref: [] for ref in unknown}
    counts = dict.fromkeys(unknown, 0)
    spill.seek(0)
    while True:
        try:
            batch = pickle.load(spill)  # noqa: S301 - our own spill file
        except EOFError:
            break
        for line, values in batch:
            ref = values[first.customer_at]
            if ref in counts:
                counts[ref] += 1
                if len(lines[ref]) < SHOWN_LINES:
                    lines[ref].append(line)
    spill.seek(0, 2)
    for ref, line in unknown.items():
        count = max(counts[ref], 1)
        code = "unknown_customer" if count == 1 else "unknown_customer_lines"
        shown = ", ".join(map(str, lines[ref] or [line])) + (" …" if count > len(lines[ref]) else "")
        params = {"count": count, "lines": shown}
        outcome.add(RowProblem(line, column, ref, code, params))
    return ids
