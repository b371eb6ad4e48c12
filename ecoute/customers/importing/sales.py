"""The lines of a file that make one sale, and the rows of a file that repeat a key.

A till export writes one line per item, each with the ticket's number: the lines sharing a sale id are
the items of one sale, stored once with their total and their number of lines (and each line as a
TransactionLine when the file names products, quantities or unit prices). A line repeated exactly is a
duplicate, folded. Pass 1 finds the ids that come on several lines; pass 2 holds those lines until the
end of the file, then gathers each sale; the other lines go straight through.
"""

import operator
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from ecoute.customers.importing.fields import ITEM_FIELDS
from ecoute.customers.importing.problems import RowProblem
from ecoute.customers.models import Transaction, TransactionLine

# Repeated keys listed in a note, with the lines of each.
SHOWN_KEYS = 5
SHOWN_LINES = 5

type Values = tuple[Any, ...]
type SaleLine = tuple[
    str, int, str, Any, Any, Any
]  # sale id, position, product, quantity, unit price, amount


_LINE_BITS = 32
# First lines whose values are kept to name the field a later line of the same sale changes: the lines
# of one ticket follow each other in a till export, so the last few thousand are enough.
_RECENT_FIRST_LINES = 20_000


class RepeatedKeys:
    """Pass 1: the keys (customer CRM ids, sale ids) that come on several lines, with their lines.

    For sales, the lines sharing an id are the items of one sale only if they agree on what belongs to
    the sale (customer, date, currency, channel, store: `sale_fields`); a line that does not is a
    problem, never summed into another customer's, day's or currency's sale. A key's first line and a
    hash of its sale fields are packed in one number, so that a million sales stay small and fast."""

    def __init__(self, key_at: int, sale_fields: Sequence[tuple[int, str]] = ()) -> None:
        self.key_at = key_at
        self.first_line: dict[Any, int] = {}
        self.repeated: dict[Any, list[int]] = {}
        self.sale_fields: Sequence[tuple[int, str]] = ()
        self._sale_of: Callable[[Values], Any] | None = None
        self._recent: dict[Any, Values] = {}
        self.key_column = ""
        self.check_sales(sale_fields)

    def check_sales(self, sale_fields: Sequence[tuple[int, str]], key_column: str = "") -> None:
        """Refuse a line whose `sale_fields` (position in the values, column to name) differ from its key's
        first line."""
        self.sale_fields = sale_fields
        self.key_column = key_column
        self._sale_of = operator.itemgetter(*[i for i, _column in sale_fields]) if sale_fields else None

    def see(self, rows: list[tuple[int, Values]], problems: list[RowProblem]) -> list[tuple[int, Values]]:
        """Note the keys of `rows`; returns the rows, less those that disagree with their sale's first line
        (a problem each)."""
        first, repeated, at, sale_of, recent = (
            self.first_line,
            self.repeated,
            self.key_at,
            self._sale_of,
            self._recent,
        )
        kept = []
        line_mask = (1 << _LINE_BITS) - 1
        for line, values in rows:
            key = values[at]
            if not key:
                kept.append((line, values))
                continue
            if sale_of is None:
                earlier = first.setdefault(key, line)
            else:
                packed = line | ((hash(sale_of(values)) & 0xFFFFFFFFFFFFFFFF) << _LINE_BITS)
                earlier_packed = first.setdefault(key, packed)
                earlier = earlier_packed & line_mask
                if earlier == line:
                    if len(recent) >= _RECENT_FIRST_LINES:
                        recent.clear()
                    recent[key] = values
                elif earlier_packed != packed - line + earlier:
                    problems.append(self._disagreement(line, values, earlier))
                    continue
            if earlier != line:
                lines = repeated.get(key)
                if lines is None:
                    repeated[key] = [earlier, line]
                elif len(lines) < SHOWN_LINES:
                    lines.append(line)
                else:
                    lines[-1] = line  # the first lines, and the last, which wins
            kept.append((line, values))
        return kept

    def _disagreement(self, line: int, values: Values, first_line: int) -> RowProblem:
        """The problem of a line that changes a field of its sale: the field named when the first line is
        recent enough to be known, the sale id otherwise."""
        first = self._recent.get(values[self.key_at])
        at, column = next(
            ((i, name) for i, name in self.sale_fields if first is not None and first[i] != values[i]),
            (self.key_at, self.key_column),
        )
        value = values[at]
        return RowProblem(
            line,
            column,
            "" if value is None else str(value),
            "sale_lines_disagree",
            {"first_line": first_line},
        )

    def alike(self) -> list[list[str]]:
        """The keys that differ only in capitals ("C1", "c1"), each group in the order of the file: kept
        apart, as the CRM wrote them, but worth a look."""
        seen: dict[str, str] = {}
        groups: dict[str, list[str]] = {}
        for key in self.first_line:
            if isinstance(key, str):
                first = seen.setdefault(key.casefold(), key)
                if first is not key:
                    groups.setdefault(key.casefold(), [first]).append(key)
        return list(groups.values())

    def shown(self) -> str:
        """ "C1 (2, 5), C7 (3, 9) …": the first repeated keys with their lines."""
        parts = [
            f"{key} ({', '.join(map(str, lines))})" for key, lines in list(self.repeated.items())[:SHOWN_KEYS]
        ]
        return ", ".join(parts) + (" …" if len(self.repeated) > SHOWN_KEYS else "")


def shown_groups(groups: list[list[str]]) -> str:
    """ "C1 / c1, AB7 / ab7 …": the first groups of keys alike."""
    shown = ", ".join(" / ".join(group) for group in groups[:SHOWN_KEYS])
    return shown + (" …" if len(groups) > SHOWN_KEYS else "")


class SaleGatherer:
    """Pass 2: holds the lines of the sales that span several lines, then gives one row per sale."""

    def __init__(self, names: Sequence[str], repeated: Iterable[Any]) -> None:
        self.key_at = names.index("external_id")
        self.amount_at = names.index("amount")
        self.repeated = set(repeated)
        self.held: dict[Any, list[tuple[int, Values]]] = {}
        self.duplicates = 0
        # Lines gathered into sales of several lines, and those sales.
        self.lines = 0
        self.sales_count = 0

    def hold(self, batch: list[tuple[int, Values]]) -> list[tuple[int, Values]]:
        """The rows of `batch` that are sales of one line; the others are kept for `sales`."""
        if not self.repeated:
            return batch
        passing = []
        at, repeated, held = self.key_at, self.repeated, self.held
        for line, values in batch:
            if values[at] in repeated:
                held.setdefault(values[at], []).append((line, values))
            else:
                passing.append((line, values))
        return passing

    def sales(self) -> tuple[list[tuple[int, Values]], dict[Any, list[Values]]]:
        """One row per held sale (the first line's values, the total of its lines), and per sale id
        its distinct lines; exactly repeated lines are counted as duplicates."""
        rows, items = [], {}
        for key, lines in self.held.items():
            distinct = list(dict.fromkeys(values for _line, values in lines))
            self.duplicates += len(lines) - len(distinct)
            if len(distinct) > 1:
                self.lines += len(distinct)
                self.sales_count += 1
            total = sum((Decimal(str(values[self.amount_at])) for values in distinct), Decimal(0))
            first_line, first = lines[0]
            row = list(first)
            row[self.amount_at] = str(total)
            rows.append((first_line, tuple(row)))
            items[key] = distinct
        self.held = {}
        return rows, items


def item_lines(names: Sequence[str], sale_id: str, lines: Sequence[Values]) -> list[SaleLine]:
    """The TransactionLine values of a sale's lines, numbered from 1."""
    at = {name: names.index(name) if name in names else -1 for name in (*ITEM_FIELDS, "amount")}

    def value(values: Values, name: str) -> Any:
        return values[at[name]] if at[name] >= 0 else None

    return [
        (
            sale_id,
            position,
            value(values, "product") or "",
            value(values, "quantity"),
            value(values, "unit_price"),
            value(values, "amount"),
        )
        for position, values in enumerate(lines, start=1)
    ]


def write_sale_lines(organization_id: int, lines: list[SaleLine]) -> None:
    """Store the item lines of the sales just written, in place of those an earlier import stored."""
    if not lines:
        return
    ids = dict(
        Transaction.objects.filter(
            organization_id=organization_id, external_id__in={line[0] for line in lines}
        ).values_list("external_id", "id")
    )
    TransactionLine.objects.filter(transaction_id__in=ids.values()).delete()
    TransactionLine.objects.bulk_create(
        TransactionLine(
            transaction_id=ids[sale_id],
            position=position,
            product=product,
            quantity=quantity,
            unit_price=unit_price,
            amount=amount,
        )
        for sale_id, position, product, quantity, unit_price, amount in lines
    )
