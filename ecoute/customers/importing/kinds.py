"""Per kind of import: the fields, how a row becomes a database row, and what to refresh afterwards."""

import dataclasses
import hashlib
import json
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cached_property
from itertools import repeat
from typing import Any

from ecoute.customers.importing.field_spec import FieldSpec
from ecoute.customers.importing.fields import FIELDS_BY_KIND
from ecoute.customers.importing.writers import Upsert
from ecoute.customers.models import (
    Consent,
    Customer,
    Interaction,
    LoyaltyAct,
    Transaction,
    customer_search_name,
)
from ecoute.customers.queries import refresh_consent_flags, refresh_purchase_stats, refresh_search_names
from ecoute.lib.contacts import phone_e164, repair_phone, repair_postcode
from ecoute.lib.tabular_errors import InvalidValueError

type Row = dict[str, Any]
type RowBuilder = Callable[[Sequence[Any]], tuple[Any, ...]]
type BatchBuilder = Callable[[list[tuple[Any, ...]]], list[tuple[Any, ...]] | None]


@dataclass
class WriteContext:
    """What turning rows into database rows needs. The rows' dates arrive as database values."""

    organization_id: int
    customer_ids: dict[str, int]
    mapped: frozenset[str]
    now: datetime
    db_datetime: Callable[[datetime], Any]
    # Sales without an id: how many times each sale's values came so far in the file, so that identical
    # purchases stay distinct, in the order they appear, and a rerun finds the same keys.
    occurrences: dict[str, int] = field(default_factory=dict)
    # Whether the organization is in France: a row without a country follows French rules.
    in_france: bool = False
    # The import writing, recorded on each row it writes so that it can be undone (None: the API).
    job_id: int | None = None

    @cached_property
    def db_now(self) -> Any:
        return self.db_datetime(self.now)


@dataclass(frozen=True)
class ImportPlan:
    kind: str
    fields: tuple[FieldSpec, ...]
    needs_customers: bool

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def upsert(self, mapped: frozenset[str]) -> Upsert:
        raise NotImplementedError

    def db_row(self, row: Row, ctx: WriteContext) -> tuple[Any, ...]:
        raise NotImplementedError

    def row_builder(self, names: Sequence[str], ctx: WriteContext) -> RowBuilder:
        """Values in the order of `names` → the database row (`db_row` by field name, by default)."""
        names = tuple(names)
        db_row = self.db_row

        def build(values: Sequence[Any]) -> tuple[Any, ...]:
            return db_row(dict(zip(names, values, strict=True)), ctx)

        return build

    def batch_builder(
        self, names: Sequence[str], ctx: WriteContext, to_database: dict[str, Callable[[Any], Any]]
    ) -> BatchBuilder | None:
        """Optionally, a whole batch of converted values → database rows at once (raw dates given to
        `to_database`), or None from the builder when a row of the batch is to be rejected, for the
        caller to go row by row."""
        return None

    def after_write(self, organization_id: int, customer_ids: Collection[int]) -> None:
        """Refresh what is derived from the rows written (counts and flags on customers)."""


def _by_external_id(
    model: type[Transaction | Interaction | LoyaltyAct], mapped: frozenset[str], *columns: str
) -> Upsert:
    """Rows keyed by their external id; a rerun updates the columns the file maps (a column left out, or
    ignored, leaves what is stored as it was), and those always computed (a sale's number of lines)."""
    upsert = Upsert.by_external_id(model, *columns)
    fed = {column for column in columns if column in mapped or column.removesuffix("_id") in mapped}
    return dataclasses.replace(upsert, update=tuple(c for c in columns if c in fed or c in ALWAYS_UPDATED))


ALWAYS_UPDATED = frozenset({"lines_count", "imported_by"})


def _derived_id(*parts: object) -> str:
    return "|".join(str(p) for p in parts)[:120]


NAME_FIELDS = frozenset({"last_name", "first_name"})


class CustomerPlan(ImportPlan):
    COLUMNS = (
        "email",
        "phone",
        "first_name",
        "last_name",
        "company",
        "language",
        "address_line1",
        "address_line2",
        "postcode",
        "city",
        "region",
        "country",
    )

    def upsert(self, mapped: frozenset[str]) -> Upsert:
        updated = tuple(c for c in self.COLUMNS if c in mapped)
        if "phone" in mapped:
            updated += ("phone_e164",)
        if "created_at" in mapped:
            updated += ("created_at",)
        return Upsert(
            Customer,
            columns=(
                "organization_id",
                "external_id",
                *self.COLUMNS,
                "phone_e164",
                "created_at",
                "updated_at",
                "attributes",
                "purchases_count",
                "email_consent",
                "search_name",
                "imported_by",
            ),
            conflict=("organization_id", "external_id"),
            update=(*updated, "updated_at", "attributes", "search_name", "imported_by"),
            merge_json=("attributes",),
        )

    def db_row(self, row: Row, ctx: WriteContext) -> tuple[Any, ...]:
        values = {c: row.get(c) or "" for c in self.COLUMNS}
        # French rules for a row of France, or without a country in an organization of France.
        french = values["country"].upper() == "FR" or (not values["country"] and ctx.in_france)
        values["postcode"] = repair_postcode(values["postcode"], french=french)
        values["phone"] = repair_phone(values["phone"], french=french)
        return (
            ctx.organization_id,
            row["external_id"],
            *values.values(),
            phone_e164(values["phone"], french=french),
            row.get("created_at") or ctx.db_now,
            ctx.db_now,
            json.dumps(row.get("attributes") or {}),
            0,
            False,
            self._search_name(row, ctx.mapped),
            ctx.job_id,
        )

    @staticmethod
    def _search_name(row: Row, mapped: frozenset[str]) -> str:
        # Without the name columns the customer's name is not known here: after_write fills it.
        if not mapped >= NAME_FIELDS:
            return ""
        return customer_search_name(row["last_name"] or "", row["first_name"] or "", row.get("company") or "")

    def after_write(self, organization_id: int, customer_ids: Collection[int]) -> None:
        refresh_search_names(organization_id)


class ConsentPlan(ImportPlan):
    def upsert(self, mapped: frozenset[str]) -> Upsert:
        return Upsert(
            Consent,
            columns=(
                "organization_id",
                "customer_id",
                "channel",
                "purpose",
                "granted",
                "recorded_at",
                "source",
                "imported_by",
            ),
            conflict=("customer_id", "channel", "purpose", "recorded_at", "granted"),
            update=(),
        )

    def db_row(self, row: Row, ctx: WriteContext) -> tuple[Any, ...]:
        return (
            ctx.organization_id,
            ctx.customer_ids[row["customer"]],
            row["channel"],
            row["purpose"],
            row["granted"],
            row["recorded_at"],
            row.get("source") or "",
            ctx.job_id,
        )

    def after_write(self, organization_id: int, customer_ids: Collection[int]) -> None:
        refresh_consent_flags(organization_id, customer_ids)


CENT = Decimal("0.01")


def sale_key(ctx: WriteContext, customer: str, occurred: Any, amount: str, store: str | None) -> str:
    """The key of a sale the file gives no id: its values as they are meant, not as they are written
    ("10,00" and "10" are one amount; a CSV and an xlsx export of a sale give one key), and the number
    of the same values earlier in the file: two identical purchases of a day are two sales."""
    moment = str(occurred)[:19]  # the UTC time, whichever way the database takes it
    base = f"{customer}|{moment}|{Decimal(amount).quantize(CENT)}|{store or ''}"
    count = ctx.occurrences.get(base, 0) + 1
    ctx.occurrences[base] = count
    key = f"{base}|{count}"
    if len(key) > 120:
        key = "~" + hashlib.sha256(key.encode()).hexdigest()
    return key


class TransactionPlan(ImportPlan):
    def upsert(self, mapped: frozenset[str]) -> Upsert:
        return _by_external_id(
            Transaction,
            mapped,
            "customer_id",
            "occurred_at",
            "amount",
            "currency",
            "channel",
            "store",
            "imported_by",
            "lines_count",
        )

    def db_row(self, row: Row, ctx: WriteContext) -> tuple[Any, ...]:
        occurred = row["occurred_at"]
        amount = str(row["amount"])
        external_id = row.get("external_id") or sale_key(
            ctx, row["customer"], occurred, amount, row.get("store")
        )
        return (
            ctx.organization_id,
            external_id,
            ctx.customer_ids[row["customer"]],
            occurred,
            amount,
            (row.get("currency") or "EUR").upper(),
            row.get("channel") or "",
            row.get("store") or "",
            ctx.job_id,
            1,
        )

    def batch_builder(
        self, names: Sequence[str], ctx: WriteContext, to_database: dict[str, Callable[[Any], Any]]
    ) -> BatchBuilder:
        # The hot path of the largest files: column by column, positions instead of a dict per row.
        at = {name: index for index, name in enumerate(names)}
        customer, occurred_at, amount = at["customer"], at["occurred_at"], at["amount"]
        external, currency, channel, store = (
            at.get(n, -1) for n in ("external_id", "currency", "channel", "store")
        )
        organization_id, customer_ids = ctx.organization_id, ctx.customer_ids
        convert_date = to_database["occurred_at"]

        def build_batch(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]] | None:
            columns = list(zip(*rows, strict=True))
            nothing = (None,) * len(rows)

            def column(index: int) -> tuple[Any, ...]:
                return columns[index] if index >= 0 else nothing

            refs = columns[customer]
            try:
                ids = list(map(customer_ids.__getitem__, refs))
                occurred = list(map(convert_date, columns[occurred_at]))
            except (KeyError, InvalidValueError, ValueError):
                return None  # a row to reject: the caller goes row by row
            totals = columns[amount]
            externals = column(external)
            stores = column(store)
            if not all(externals):
                externals = tuple(
                    e or sale_key(ctx, r, o, t, s)
                    for e, r, o, t, s in zip(externals, refs, occurred, totals, stores, strict=True)
                )
            return list(
                zip(
                    repeat(organization_id, len(rows)),
                    externals,
                    ids,
                    occurred,
                    totals,
                    [(c or "EUR").upper() for c in column(currency)],
                    [c or "" for c in column(channel)],
                    [s or "" for s in stores],
                    repeat(ctx.job_id, len(rows)),
                    repeat(1, len(rows)),
                    strict=True,
                )
            )

        return build_batch

    def after_write(self, organization_id: int, customer_ids: Collection[int]) -> None:
        refresh_purchase_stats(organization_id, customer_ids)


class InteractionPlan(ImportPlan):
    def upsert(self, mapped: frozenset[str]) -> Upsert:
        return _by_external_id(
            Interaction,
            mapped,
            "customer_id",
            "kind",
            "touchpoint",
            "occurred_at",
            "subject",
            "resolved_first_contact",
            "delivery_delay_days",
            "handling_time_minutes",
            "imported_by",
        )

    def db_row(self, row: Row, ctx: WriteContext) -> tuple[Any, ...]:
        occurred = row["occurred_at"]
        external_id = row.get("external_id") or _derived_id(row["customer"], row["kind"], occurred)
        minutes = row.get("handling_time_minutes")
        return (
            ctx.organization_id,
            external_id,
            ctx.customer_ids[row["customer"]],
            row["kind"],
            row.get("touchpoint") or "",
            occurred,
            row.get("subject") or "",
            row.get("resolved_first_contact"),
            row.get("delivery_delay_days"),
            None if minutes is None else str(minutes),
            ctx.job_id,
        )


class LoyaltyActPlan(ImportPlan):
    def upsert(self, mapped: frozenset[str]) -> Upsert:
        return _by_external_id(
            LoyaltyAct,
            mapped,
            "customer_id",
            "kind",
            "source",
            "occurred_at",
            "rating",
            "text",
            "url",
            "imported_by",
        )

    def db_row(self, row: Row, ctx: WriteContext) -> tuple[Any, ...]:
        occurred = row["occurred_at"]
        external_id = row.get("external_id") or _derived_id(row["customer"], row["kind"], occurred)
        return (
            ctx.organization_id,
            external_id,
            ctx.customer_ids[row["customer"]],
            row["kind"],
            row.get("source") or "",
            occurred,
            row.get("rating"),
            row.get("text") or "",
            row.get("url") or "",
            ctx.job_id,
        )


PLANS: dict[str, ImportPlan] = {
    "customers": CustomerPlan("customers", FIELDS_BY_KIND["customers"], needs_customers=False),
    "consents": ConsentPlan("consents", FIELDS_BY_KIND["consents"], needs_customers=True),
    "transactions": TransactionPlan("transactions", FIELDS_BY_KIND["transactions"], needs_customers=True),
    "interactions": InteractionPlan("interactions", FIELDS_BY_KIND["interactions"], needs_customers=True),
    "loyalty-acts": LoyaltyActPlan("loyalty-acts", FIELDS_BY_KIND["loyalty-acts"], needs_customers=True),
}
