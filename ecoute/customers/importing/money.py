"""The amount of a sale and its currency, as the file writes them, checked against the organization's rule.

The rule: a currency written with the amount ("12,50 $", "12.50 USD") or in a currency column sets
the sale's currency; a sale that names none is in the organization's currency. An organization that
keeps a single currency refuses a sale written in another one. An amount is stored to the cent (two
decimals, none for a currency without minor unit such as the yen): one with more decimals than its
currency has ("1.234" €, "0,005" €) is refused, never rounded, so that storage, pages and sums agree on
both databases.
"""

from dataclasses import dataclass
from typing import Any

from ecoute.customers.importing.problems import RowProblem
from ecoute.lib.values import currency_decimals, decimals_of

type Row = tuple[int, tuple[Any, ...]]

# The column holds two decimals: a currency with more (the dinar) is kept to the cent as well.
STORED_DECIMALS = 2


@dataclass
class SaleAmounts:
    """Settles each sale's amount and currency; a file without a currency column gets one at the end."""

    amount_at: int
    currency_at: int  # the currency's place in a row; len(row) when the file has no currency column
    amount_header: str
    default: str
    single: bool

    def settle(self, rows: list[Row], problems: list[RowProblem]) -> list[Row]:
        """`rows` with their amount as a bare number and their currency set; the refused ones left out,
        their problems added to `problems`."""
        settled: list[Row] = []
        amount_at, currency_at, default = self.amount_at, self.currency_at, self.default
        appended = False
        for line, values in rows:
            appended = currency_at >= len(values)
            amount = values[amount_at]
            number, _space, written = amount.partition(" ") if amount.__class__ is str else ("", "", "")
            column = "" if appended else (values[currency_at] or "").upper()
            currency = written or column or default
            problem = self._problem(number, written, column, currency)
            if problem is not None:
                problems.append(RowProblem(line, self.amount_header, amount, *problem))
                continue
            row = list(values)
            if appended:
                row.append(currency)
            else:
                row[currency_at] = currency
            row[amount_at] = number
            settled.append((line, tuple(row)))
        return settled

    def _problem(
        self, number: str, written: str, column: str, currency: str
    ) -> tuple[str, dict[str, Any]] | None:
        if written and column and written != column:
            return "currency_conflict", {"written": written, "column": column}
        if self.single and currency != self.default:
            return "currency_not_kept", {"currency": currency, "kept": self.default}
        allowed = min(currency_decimals(currency), STORED_DECIMALS)
        if number and decimals_of(number) > allowed:
            return "too_many_decimals", {"currency": currency, "decimals": allowed}
        return None
