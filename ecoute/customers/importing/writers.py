"""Fast upserts of import batches: `executemany` on SQLite, `COPY` through a staging table on PostgreSQL.

The ORM's bulk_create is several times slower than the database's own bulk path at a million rows,
so imports write plain tuples in the table's column order, and let the unique key
(organization, external id) turn a rerun into updates instead of duplicates.
"""

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models


@dataclass(frozen=True)
class Upsert:
    """INSERT … ON CONFLICT (conflict) DO UPDATE SET (update) for `columns` of `model`."""

    model: type[models.Model]
    columns: tuple[str, ...]
    conflict: tuple[str, ...]
    update: tuple[str, ...]
    # Columns merged rather than replaced on update (JSON objects: the file's keys win).
    merge_json: tuple[str, ...] = ()

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
            self._write_postgresql(rows)
        else:
            self._write_sqlite(rows)

    def _write_sqlite(self, rows: Sequence[Sequence[Any]]) -> None:
        names = ", ".join(f'"{c}"' for c in self.columns)
        marks = ", ".join("?" for _ in self.columns)
        sql = f'INSERT INTO "{self.table}" ({names}) VALUES ({marks}) {self._conflict_clause()}'  # noqa: S608
        connection.ensure_connection()
        raw = connection.connection
        assert raw is not None
        raw.executemany(sql, rows)

    def _write_postgresql(self, rows: Sequence[Sequence[Any]]) -> None:
        names = ", ".join(f'"{c}"' for c in self.columns)
        stage = f"import_stage_{self.table}_{zlib.crc32(names.encode()):08x}"
        # One statement cannot update the same row twice: the last row of a key wins.
        key_at = [self.columns.index(c) for c in self.conflict]
        rows = list({tuple(row[i] for i in key_at): row for row in rows}.values())
        with connection.cursor() as wrapper:
            cursor = wrapper.cursor
            cursor.execute(
                f'CREATE TEMP TABLE IF NOT EXISTS "{stage}" AS SELECT {names} FROM "{self.table}" WITH NO DATA'
            )
            cursor.execute(f'TRUNCATE "{stage}"')
            with cursor.copy(f'COPY "{stage}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f'INSERT INTO "{self.table}" ({names}) SELECT {names} FROM "{stage}" '  # noqa: S608
                f"{self._conflict_clause()}"
            )
