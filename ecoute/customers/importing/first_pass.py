"""Pass 1 of an import: convert every row, collect the problems, observe the dates, note the keys.

Rows are converted in blocks, column by column (several times faster than row by row); a block with a
problem is done again row by row, to name each problem in the order of the file.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from ecoute.customers.importing.cells import CellError, as_text, converter_for
from ecoute.customers.importing.date_cells import DateCells
from ecoute.customers.importing.field_spec import (
    MAX_ATTRIBUTE_NAME,
    MAX_ATTRIBUTE_VALUE,
    FieldSpec,
    ValueType,
)
from ecoute.customers.importing.money import SaleAmounts
from ecoute.customers.importing.problems import ImportFileError, RowProblem
from ecoute.customers.importing.resolution import date_window
from ecoute.customers.importing.sales import RepeatedKeys
from ecoute.lib.api_values import CONTROL_CHARACTERS
from ecoute.lib.dates import DateColumn
from ecoute.lib.tabular_errors import InvalidValueError

if TYPE_CHECKING:
    from ecoute.customers.importing.kinds import ImportPlan
    from ecoute.customers.importing.request import ImportOutcome, ImportRequest


# The kinds whose rows carry an id: the ids that come on several lines are noted (see RepeatedKeys).
KEYED_KINDS = frozenset({"customers", "transactions", "interactions", "loyalty-acts"})


class _RowByRowError(Exception):
    """A batch to convert row by row, so that each problem is named."""


def _cell(cells: list[Any] | None, index: int) -> Any:
    return cells[index] if cells is not None and index < len(cells) else None


class FirstPass:
    """Convert every row, collect problems, spill good rows, observe dates."""

    def __init__(
        self,
        plan: ImportPlan,
        headers: list[str],
        columns: dict[int, FieldSpec],
        request: ImportRequest,
        *,
        crm_columns: list[int] | None = None,
    ) -> None:
        self.plan = plan
        self.headers = headers
        self.columns = columns
        self.order = [spec.name for spec in columns.values()]
        years = date_window()
        self.dates = {
            spec.name: DateCells(
                DateColumn(order=request.date_order, years=years),  # type: ignore[arg-type]
                request.time_zone,
            )
            for spec in columns.values()
            if spec.type is ValueType.DATETIME
        }
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
        # The columns kept as the customer's CRM fields, named by their header as the API names them; the
        # other columns that feed no field are ignored: written nowhere.
        self.crm_columns = crm_columns or []
        self.with_attributes = plan.kind == "customers"
        if self.with_attributes:
            for i in self.crm_columns:
                if len(headers[i]) > MAX_ATTRIBUTE_NAME:
                    raise ImportFileError(
                        "crm_field_name_too_long", column=headers[i][:80], limit=MAX_ATTRIBUTE_NAME
                    )
        self.width = max(columns, default=-1) + 1
        # Customers and sales whose id comes on several lines (repeated customers, items of one sale).
        keyed = plan.kind in KEYED_KINDS and "external_id" in self.order
        self.keys = RepeatedKeys(self.order.index("external_id")) if keyed else None
        self.amounts: SaleAmounts | None = None
        if plan.kind == "transactions":
            if "currency" not in self.order:
                self.order.append("currency")  # set for each sale by SaleAmounts
            amount_at = self.order.index("amount")
            self.amount_column = next(i for i, spec in columns.items() if spec.name == "amount")
            self.amounts = SaleAmounts(
                amount_at,
                self.order.index("currency"),
                next(headers[i] for i, spec in columns.items() if spec.name == "amount"),
                request.currency,
                request.single_currency,
            )
            if self.keys is not None:
                header_of = {spec.name: headers[i] for i, spec in columns.items()}
                header_of.setdefault("currency", header_of["amount"])  # a currency written with the amount
                self.keys.check_sales(
                    [
                        (self.order.index(name), header_of[name])
                        for name in ("customer", "occurred_at", "currency", "channel", "store")
                        if name in self.order
                    ],
                    header_of["external_id"],
                )

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
        if self.amounts is not None:
            problems: list[RowProblem] = []
            good = self.amounts.settle(good, problems)
            if problems:
                # Each amount quoted as the file writes it ("0,005"), so that it can be found there.
                written = dict(batch)
                problems = [
                    dataclasses.replace(p, value=as_text(cell))
                    if (cell := _cell(written.get(p.line), self.amount_column)) is not None
                    else p
                    for p in problems
                ]
            for problem in problems:
                outcome.add(problem)
        if self.keys is not None:
            problems = []
            good = self.keys.see(good, problems)
            for problem in problems:
                outcome.add(problem)
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
                if CONTROL_CHARACTERS.search("".join(column)):
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
            headers, crm_columns = self.headers, self.crm_columns
            attributes = [
                {headers[i]: as_text(cells[i]) for i in crm_columns if i < len(cells) and cells[i]}
                for cells in rows
            ]
            if any(
                len(value) > MAX_ATTRIBUTE_VALUE or CONTROL_CHARACTERS.search(value)
                for values in attributes
                for value in values.values()
            ):
                raise _RowByRowError
            columns.append(attributes)
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
                    if CONTROL_CHARACTERS.search(value):
                        raise CellError("control_character")
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
        if self.with_attributes:
            attributes = {}
            for i in self.crm_columns:
                if i < width and cells[i]:
                    text = as_text(cells[i])
                    if len(text) > MAX_ATTRIBUTE_VALUE:
                        outcome.add(
                            RowProblem(
                                line, self.headers[i], text, "too_long", {"max_length": MAX_ATTRIBUTE_VALUE}
                            )
                        )
                        bad = True
                    elif CONTROL_CHARACTERS.search(text):
                        outcome.add(RowProblem(line, self.headers[i], text, "control_character"))
                        bad = True
                    attributes[self.headers[i]] = text
            append(attributes)
        if bad:
            return None
        if self.customer_at >= 0:
            ref = values[self.customer_at]
            if ref not in self.customer_refs:
                self.customer_refs[ref] = line
        return tuple(values)
