"""Fast upserts of import batches: `executemany` on SQLite, `COPY` through a staging table on PostgreSQL.

The ORM's bulk_create is several times slower than the database's own bulk path at a million rows,
so imports write plain tuples in the table's column order, and let the unique key
(organization, external id) turn a rerun into updates instead of duplicates. The conflict clause has
a cost, so batches go in without it until one meets a key that exists (a rerun, or a key twice in the
file): that batch is rolled back to its savepoint and written again as an upsert, like the rest.
"""

import operator
import os
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import psycopg
from django.db import connection, models, transaction

from ecoute.customers.importing import snapshots
from ecoute.customers.models import Customer

# SQLite in WAL mode copies the log back into the database (and syncs both) at the first commit after
# the log passes this many pages: 1,000 by default, so every batch of an import paid for a
# checkpoint. While an import writes, the log may grow to this many pages (4 KiB each).
IMPORT_WAL_PAGES = int(os.environ.get("ECOUTE_IMPORT_WAL_PAGES", "65536"))


@contextmanager
def bulk_writing() -> Iterator[None]:
    """Around the batches of one import: fewer, larger checkpoints on SQLite; nothing elsewhere."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        (pages,) = cursor.fetchone()
        cursor.execute(f"PRAGMA wal_autocheckpoint = {max(pages, IMPORT_WAL_PAGES):d}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {int(pages):d}")


@dataclass(frozen=True)
class Upsert:
    """INSERT … ON CONFLICT (conflict) DO UPDATE SET (update) for `columns` of `model`."""

    model: type[models.Model]
    columns: tuple[str, ...]
    conflict: tuple[str, ...]
    update: tuple[str, ...]
    # Columns merged rather than replaced on update (JSON objects: the file's keys win).
    merge_json: tuple[str, ...] = ()
    # Columns updated but computed from others: not kept to undo an import, computed again instead.
    derived: tuple[str, ...] = ("search_name", "lines_count")
    # The import writing: the rows a batch overwrites are kept first, for it to be undone (snapshots.py).
    job_id: int | None = None
    # Whether the next batch first tries a plain INSERT or COPY, without the conflict clause.
    _plain_first: list[bool] = field(default_factory=lambda: [True], compare=False, repr=False)

    @classmethod
    def by_external_id(cls, model: type[models.Model], *columns: str) -> "Upsert":
        """Rows of an organization keyed by their external id; a rerun updates every other column."""
        return cls(
            model,
            columns=("organization_id", "external_id", *columns),
            conflict=("organization_id", "external_id"),
            update=columns,
        )

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    def _set_clause(self) -> str:
        parts = []
        for column in self.update:
            if column in self.merge_json:
                if connection.vendor == "postgresql":
                    parts.append(f'"{column}" = "{self.table}"."{column}" || EXCLUDED."{column}"')
                else:
                    parts.append(f'"{column}" = json_patch("{self.table}"."{column}", excluded."{column}")')
            else:
                parts.append(f'"{column}" = excluded."{column}"')
        return ", ".join(parts)

    def _conflict_clause(self) -> str:
        target = ", ".join(f'"{c}"' for c in self.conflict)
        if not self.update:
            return f"ON CONFLICT ({target}) DO NOTHING"
        return f"ON CONFLICT ({target}) DO UPDATE SET {self._set_clause()}"

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        if connection.vendor == "postgresql":
            # Rows written in the order of their keys: two imports sharing keys then wait for each
            # other instead of each holding a key the other needs (a deadlock that kills one of them).
            key_at = [self.columns.index(c) for c in self.conflict]
            self._write_postgresql(
                sorted(rows, key=lambda row: [(v is None, str(v)) for v in map(row.__getitem__, key_at)])
            )
        else:
            self._write_sqlite(rows)

    def _write_sqlite(self, rows: Sequence[Sequence[Any]]) -> None:
        """A plain INSERT while no row of the import exists yet (a third faster than the upsert),
        the upsert from the first batch that meets an existing key on."""
        names = ", ".join(f'"{c}"' for c in self.columns)
        marks = ", ".join("?" for _ in self.columns)
        insert = f'INSERT INTO "{self.table}" ({names}) VALUES ({marks})'  # noqa: S608
        connection.ensure_connection()
        raw = connection.connection
        if raw is None:
            raise RuntimeError("no database connection")
        if self._plain_first[0]:
            try:
                with transaction.atomic():
                    raw.executemany(insert, rows)
                return
            except sqlite3.IntegrityError as error:
                if "UNIQUE" not in str(error):
                    raise
                self._plain_first[0] = False
        self._keep_prior_rows(rows)
        raw.executemany(f"{insert} {self._conflict_clause()}", rows)

    def _write_postgresql(self, rows: Sequence[Sequence[Any]]) -> None:
        """COPY straight into the table while no row of the import exists yet (a first import: the
        common case, and as fast as the database goes); at the first batch that meets an existing
        key, that batch and the next ones go through a staging table and INSERT … ON CONFLICT."""
        names = ", ".join(f'"{c}"' for c in self.columns)
        if self._plain_first[0]:
            try:
                copy_sql = f'COPY "{self.table}" ({names}) FROM STDIN'
                with (
                    transaction.atomic(),
                    connection.cursor() as wrapper,
                    wrapper.cursor.copy(copy_sql) as copy,
                ):
                    for row in rows:
                        copy.write_row(row)
                return
            except psycopg.errors.UniqueViolation:
                self._plain_first[0] = False
        self._keep_prior_rows(rows)
        self._upsert_postgresql(rows, names)

    def _keep_prior_rows(self, rows: Sequence[Sequence[Any]]) -> None:
        """Before rows that may exist are overwritten: keep what they were, for the import to be undone."""
        if self.job_id is None or not self.update or "external_id" not in self.conflict:
            return
        organization_at, key_at = self.columns.index("organization_id"), self.columns.index("external_id")
        snapshots.keep_prior_rows(
            self.model,
            [c for c in self.update if c not in self.derived],
            rows[0][organization_at],
            [row[key_at] for row in rows],
            self.job_id,
        )

    def _upsert_postgresql(self, rows: Sequence[Sequence[Any]], names: str) -> None:
        stage = f"import_stage_{self.table}_{zlib.crc32(names.encode()):08x}"
        # One statement cannot update the same row twice: the last row of a key wins.
        key_at = [self.columns.index(c) for c in self.conflict]
        rows = list({tuple(row[i] for i in key_at): row for row in rows}.values())
        with connection.cursor() as wrapper:
            cursor = wrapper.cursor
            cursor.execute(
                f'CREATE TEMP TABLE IF NOT EXISTS "{stage}" AS '  # noqa: S608 - our own column names
                f'SELECT {names} FROM "{self.table}" WITH NO DATA'
            )
            cursor.execute(f'TRUNCATE "{stage}"')
            with cursor.copy(f'COPY "{stage}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f'INSERT INTO "{self.table}" ({names}) SELECT {names} FROM "{stage}" '  # noqa: S608
                f"{self._conflict_clause()}"
            )


class DistinctKeys:
    """How many distinct keys the rows written have, in 8 bytes a row (a hash of each key)."""

    def __init__(self, upsert: Upsert) -> None:
        self.key = operator.itemgetter(*(upsert.columns.index(column) for column in upsert.conflict))
        self.hashes: list[np.ndarray[Any, np.dtype[np.int64]]] = []

    def add(self, rows: list[tuple[Any, ...]]) -> None:
        self.hashes.append(np.fromiter(map(hash, map(self.key, rows)), dtype=np.int64, count=len(rows)))

    def count(self) -> int:
        return int(np.unique(np.concatenate(self.hashes)).size) if self.hashes else 0


def db_datetime_for_connection() -> Callable[[datetime], Any]:
    """How this database wants an aware datetime in a raw statement."""
    if connection.vendor == "sqlite":
        # Django stores datetimes on SQLite as naive UTC text.
        return lambda value: value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    return lambda value: value


def database_takes_naive_text() -> bool:
    """Whether `db_datetime_for_connection` gives naive UTC text (SQLite) rather than aware datetimes."""
    return connection.vendor == "sqlite"


def customer_ids_for(organization_id: int, refs: Iterable[str]) -> dict[str, int]:
    """CRM id → customer id for the `refs` that exist, looked up by chunks of the unique index."""
    ids: dict[str, int] = {}
    wanted = list(refs)
    select = f'SELECT external_id, id FROM "{Customer._meta.db_table}" WHERE organization_id = %s'  # noqa: S608
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array parameter: PostgreSQL plans a list of thousands of literals slowly.
            for start in range(0, len(wanted), 20_000):
                cursor.execute(
                    f"{select} AND external_id = ANY(%s)", [organization_id, wanted[start : start + 20_000]]
                )
                ids.update(cursor.fetchall())
            return ids
        for start in range(0, len(wanted), 5000):
            chunk = wanted[start : start + 5000]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"{select} AND external_id IN ({marks})", [organization_id, *chunk])
            ids.update(cursor.fetchall())
    return ids
