"""A shop whose customers buy as a BG/NBD model with known parameters says, written straight into the
database: for the retention tests and the benchmark, which need many customers fast.

Rows go in with one prepared INSERT per table, every column the model has filled with its default.
"""

# ruff: noqa: S608 - the statements are built from the models' own table and column names

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import batched
from typing import Any

import numpy as np
from django.db import connection, models, transaction

from ecoute.accounts.models import Organization
from ecoute.analytics.btyd.simulate import simulate_bgnbd, simulate_spend
from ecoute.customers.models import Customer, Transaction

# CDNOW's published parameters (Fader, Hardie & Lee 2005), in weeks, and its spend.
CDNOW = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
SPEND = {"p": 6.25, "q": 3.74, "v": 15.44}
BATCH = 20_000


@dataclass(frozen=True)
class ShopSize:
    customers: int
    transactions: int


def _insert(model: type[models.Model], overrides: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
    """INSERT rows giving `overrides` columns; every other concrete column takes its default (those
    with a database default are left to the database)."""
    fields = [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and f.column not in overrides and f.db_default is models.NOT_PROVIDED
    ]
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in fields)
    columns = [*overrides, *(str(f.column) for f in fields)]
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) VALUES ({marks})"
    with connection.cursor() as cursor:
        for batch in batched((row + defaults for row in rows), BATCH, strict=False):
            cursor.executemany(sql, batch)


def write_simulated_shop(
    organization: Organization,
    customers: int,
    *,
    now: datetime,
    seed: int = 7,
    max_age_weeks: float = 78.0,
    parameters: dict[str, float] | None = None,
) -> ShopSize:
    """`customers` customers whose first purchases spread over the `max_age_weeks` before `now`; the
    first purchase of customer i is age[i] weeks before `now`, the others follow the model."""
    rng = np.random.default_rng(seed)
    age = rng.uniform(1.0, max_age_weeks, customers)
    given = parameters or CDNOW
    purchases = simulate_bgnbd(rng, age, r=given["r"], alpha=given["alpha"], a=given["a"], b=given["b"])
    amounts = np.round(simulate_spend(rng, purchases.customer, customers, **SPEND), 2)
    created = now.astimezone(UTC)
    prefix = f"S{seed}-"
    with transaction.atomic():
        _insert(
            Customer,
            ("organization_id", "external_id", "created_at", "updated_at"),
            ((organization.pk, f"{prefix}{index}", created, created) for index in range(customers)),
        )
        ids = dict(
            Customer.objects.filter(organization=organization, external_id__startswith=prefix).values_list(
                "external_id", "pk"
            )
        )
        id_of = np.array([ids[f"{prefix}{index}"] for index in range(customers)], dtype=np.int64)
        _insert(
            Transaction,
            ("organization_id", "customer_id", "external_id", "occurred_at", "amount", "currency"),
            _transactions(
                organization.pk,
                prefix,
                _Purchases(id_of, purchases.customer, purchases.time, age, amounts),
                now,
            ),
        )
    return ShopSize(customers, int(purchases.customer.size))


@dataclass(frozen=True)
class _Purchases:
    customer_ids: np.ndarray
    customer: np.ndarray
    weeks: np.ndarray
    age: np.ndarray
    amounts: np.ndarray


def _transactions(
    org_id: int, prefix: str, purchases: _Purchases, now: datetime
) -> Iterator[tuple[Any, ...]]:
    id_of, customer, weeks, age, amounts = (
        purchases.customer_ids,
        purchases.customer,
        purchases.weeks,
        purchases.age,
        purchases.amounts,
    )
    # Minutes before now: whole minutes keep the dates exact in both databases.
    minutes_before = np.rint((age[customer] - weeks) * 7 * 24 * 60).astype(np.int64)
    base = now.astimezone(UTC).replace(second=0, microsecond=0)
    for row, (index, minutes, amount) in enumerate(
        zip(customer.tolist(), minutes_before.tolist(), amounts.tolist(), strict=True)
    ):
        occurred = connection.ops.adapt_datetimefield_value(base - timedelta(minutes=minutes))
        yield (org_id, int(id_of[index]), f"{prefix}T{row}", occurred, f"{amount:.2f}", "EUR")
