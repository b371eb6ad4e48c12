"""Importing a million sales from a French CSV export, against the database's own bulk path.

Writes the demo CRM files (`ecoute demo --export`), keeps the first N sales of ventes.csv, then for
each database, in a process of its own: migrates a fresh database, imports the customers, times the
import of the sales with the real pipeline (`run_import`: both passes, upsert, refresh of the
purchase figures), and, in the same process over the same file, a baseline that a hand-written
loader would be: stdlib `csv` + the same row values (customer id looked up, local time to UTC,
amount with a decimal point) written with `executemany` into a fresh SQLite file holding a table
built from the same DDL (same unique constraint, indexes and foreign keys), or with psycopg `COPY`
into a PostgreSQL table `LIKE customers_transaction INCLUDING ALL` with the same foreign keys.
Prints both times, the ratio (ours / baseline), and the memory: the resident size sampled after
every batch of the import, and the import's own peak. It does not grow with the file: rows flow in
batches of `pipeline.BATCH_SIZE`; on SQLite the connection's page cache (64 MiB, see settings) fills
during the first batches.

    python bench/import.py [--customers 110000] [--transactions 1000000] [--databases sqlite,postgresql]
                           [--runs 1]

PostgreSQL: a database `ecoute_bench` is created and dropped on --pg-url's server
(default postgres://postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import gc
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Another name with BENCH_PG_DB, so that runs on one server do not share a database.
BENCH_DB = os.environ.get("BENCH_PG_DB", "ecoute_bench")
ZONE = "Europe/Paris"
TODAY = date(2025, 6, 2)
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mib() -> float:
    with Path("/proc/self/statm").open() as handle:
        return int(handle.read().split()[1]) * PAGE / 2**20


def reset_peak() -> None:
    """Start measuring the peak resident size afresh (Linux), so that it is the import's own."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_mib() -> float:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kib) / 1024


# ---------------------------------------------------------------- files (parent process)


def write_files(folder: Path, customers: int, transactions: int) -> tuple[Path, Path, int]:
    from ecoute.customers.demo.export import FILES, export_demo

    started = time.perf_counter()
    counts = export_demo(folder / "export", customers=customers, seed=1, today=TODAY)
    print(
        f"export of {counts.customers:,} customers and {counts.transactions:,} transactions "
        f"(+ consents, contacts, loyalty acts): {time.perf_counter() - started:.1f} s"
    )
    sales = folder / "export" / FILES["transactions"][0]
    kept = folder / "ventes.csv"
    written = 0
    with sales.open("rb") as source, kept.open("wb") as target:
        for line in source:
            if written > transactions:
                break
            target.write(line)
            written += 1
    rows = written - 1
    if rows < transactions:
        print(f"note: the export holds {rows:,} sales, fewer than the {transactions:,} asked")
    return folder / "export" / FILES["customers"][0], kept, rows


# ---------------------------------------------------------------- one database (child process)


def setup_django(database_url: str, var_dir: Path) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["ECOUTE_VAR_DIR"] = str(var_dir)
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)
    os.environ["DEBUG"] = "0"  # no query log growing in memory
    os.environ["DJANGO_SETTINGS_MODULE"] = "ecoute.settings"
    import django

    django.setup()


def import_customers(customers_csv: Path) -> tuple[int, float]:
    from fresh_database import migrate

    from ecoute.accounts.actions import create_organization
    from ecoute.customers.importing.pipeline import run_import
    from ecoute.customers.importing.request import ImportRequest

    migrate()
    org = create_organization("bench", "Bench", time_zone=ZONE)
    started = time.perf_counter()
    outcome = run_import(ImportRequest(org.pk, ZONE, "customers", path=customers_csv))
    assert outcome.ok, outcome.problems[:3]
    return org.pk, time.perf_counter() - started


def run_ours(organization_id: int, sales_csv: Path) -> dict[str, Any]:
    from ecoute.customers.importing.pipeline import run_import
    from ecoute.customers.importing.request import ImportRequest

    samples: dict[str, list[float]] = {"validating": [], "writing": []}

    def progress(phase: str, _done: int, _total: int) -> None:
        samples[phase].append(rss_mib())

    gc.collect()
    reset_peak()
    before = rss_mib()
    started = time.perf_counter()
    outcome = run_import(ImportRequest(organization_id, ZONE, "transactions", path=sales_csv), progress)
    seconds = time.perf_counter() - started
    assert outcome.ok, outcome.problems[:3]
    writing = samples["writing"]
    fifth = max(1, len(writing) // 5)
    return {
        "rows": outcome.rows,
        "written": outcome.written,
        "seconds": seconds,
        "rss_before": before,
        "rss_checking": max(samples["validating"], default=before),
        "rss_early": max(writing[:fifth]),
        "rss_late": max(writing[-fifth:]),
        "peak": peak_mib(),
    }


def outcome_rows(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle) - 1


def baseline_rows(sales_csv: Path, customer_ids: dict[str, int], organization_id: int, as_text: bool) -> Any:
    """The sales as a hand-written loader reads them: csv, slicing, zoneinfo, str.replace."""
    zone = ZoneInfo(ZONE)
    with sales_csv.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        next(reader)
        for order, customer, when, amount, currency, channel, store in reader:
            local = datetime(
                int(when[6:10]),
                int(when[3:5]),
                int(when[0:2]),
                int(when[11:13]),
                int(when[14:16]),
                tzinfo=zone,
            )
            moment = local.astimezone(UTC)
            yield (
                organization_id,
                order,
                customer_ids[customer],
                moment.replace(tzinfo=None).isoformat(" ") if as_text else moment,
                amount.replace("\u00a0", "").replace(" ", "").replace(",", "."),
                currency,
                channel,
                store,
            )


COLUMNS = (
    "organization_id",
    "external_id",
    "customer_id",
    "occurred_at",
    "amount",
    "currency",
    "channel",
    "store",
)


def baseline_sqlite(sales_csv: Path, ours_db: Path, organization_id: int, folder: Path) -> tuple[float, Any]:
    source = sqlite3.connect(ours_db)
    customer_ids = dict(
        source.execute(
            "SELECT external_id, id FROM customers_customer WHERE organization_id = ?", (organization_id,)
        )
    )
    ddl = [
        sql
        for (sql,) in source.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'customers_transaction' AND sql IS NOT NULL "
            "ORDER BY type = 'index'"
        )
    ]
    source.close()
    path = folder / "baseline.sqlite3"
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
        "PRAGMA cache_size=-64000; PRAGMA temp_store=MEMORY;"
    )
    # The tables the foreign keys point at, with the same ids, so that the same checks run.
    db.execute("CREATE TABLE accounts_organization (id integer NOT NULL PRIMARY KEY)")
    db.execute("CREATE TABLE customers_customer (id integer NOT NULL PRIMARY KEY)")
    db.execute("INSERT INTO accounts_organization VALUES (?)", (organization_id,))
    db.executemany("INSERT INTO customers_customer VALUES (?)", ((i,) for i in customer_ids.values()))
    for sql in ddl:
        db.execute(sql)
    insert = (
        f"INSERT INTO customers_transaction ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"  # noqa: S608
    )
    started = time.perf_counter()
    db.execute("BEGIN")
    db.executemany(insert, baseline_rows(sales_csv, customer_ids, organization_id, as_text=True))
    db.execute("COMMIT")
    seconds = time.perf_counter() - started
    summary = normalize_summary(
        db.execute(SUMMARY.format(table="customers_transaction"), (organization_id,)).fetchone()
    )
    db.close()
    path.unlink()
    return seconds, summary


def baseline_postgresql(sales_csv: Path, url: str, organization_id: int) -> tuple[float, Any]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        customer_ids: dict[str, int] = dict(
            db.execute(
                "SELECT external_id, id FROM customers_customer WHERE organization_id = %s",
                (organization_id,),
            ).fetchall()
        )
        db.execute("DROP TABLE IF EXISTS bench_transaction")
        db.execute("CREATE TABLE bench_transaction (LIKE customers_transaction INCLUDING ALL)")
        db.execute(
            "ALTER TABLE bench_transaction ADD FOREIGN KEY (customer_id) REFERENCES customers_customer (id) "
            "DEFERRABLE INITIALLY DEFERRED"
        )
        db.execute(
            "ALTER TABLE bench_transaction ADD FOREIGN KEY (organization_id) REFERENCES "
            "accounts_organization (id) DEFERRABLE INITIALLY DEFERRED"
        )
        started = time.perf_counter()
        copy_sql = f"COPY bench_transaction ({', '.join(COLUMNS)}) FROM STDIN"
        with db.transaction(), db.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for row in baseline_rows(sales_csv, customer_ids, organization_id, as_text=False):
                copy.write_row(row)
        seconds = time.perf_counter() - started
        query = SUMMARY.format(table="bench_transaction").replace("?", "%s")
        summary = normalize_summary(db.execute(query, (organization_id,)).fetchone() or ())
        db.execute("DROP TABLE bench_transaction")
    return seconds, summary


def child(database: str, folder: Path, customers_csv: Path, sales_csv: Path, pg_url: str) -> None:
    if database == "sqlite":
        db_path = folder / "ours.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{db_path}"
    else:
        url = f"{pg_url}/{BENCH_DB}"
    setup_django(url, folder)
    organization_id, customers_seconds = import_customers(customers_csv)

    def baseline() -> tuple[float, tuple[Any, ...]]:
        if database == "sqlite":
            return baseline_sqlite(sales_csv, db_path, organization_id, folder)
        return baseline_postgresql(sales_csv, url, organization_id)

    # The baseline runs before and after ours, and the faster of the two counts: a machine busy
    # with something else during one of the runs makes the ratio look worse, not better.
    first, expected = baseline()
    result = run_ours(organization_id, sales_csv)
    second, _ = baseline()
    result.update(
        organization_id=organization_id,
        customers=outcome_rows(customers_csv),
        customers_seconds=customers_seconds,
        baseline=min(first, second),
        baselines=[first, second],
        same_rows=written_summary(database, db_path if database == "sqlite" else url, organization_id)
        == expected,
    )
    print(json.dumps(result))


def written_summary(database: str, where: Path | str, organization_id: int) -> tuple[Any, ...]:
    """What the import wrote, in a form both tables answer alike: count, keys, customers, dates, amounts."""
    query = SUMMARY.format(table="customers_transaction")
    if database == "sqlite":
        lite = sqlite3.connect(where)
        try:
            return normalize_summary(lite.execute(query, (organization_id,)).fetchone())
        finally:
            lite.close()
    import psycopg

    with psycopg.connect(str(where)) as db:
        return normalize_summary(db.execute(query.replace("?", "%s"), (organization_id,)).fetchone() or ())


SUMMARY = (
    "SELECT count(*), min(external_id), max(external_id), sum(customer_id), "
    "min(occurred_at), max(occurred_at), sum(CAST(round(amount * 100) AS INTEGER)), count(DISTINCT store) "
    "FROM {table} WHERE organization_id = ?"
)


def normalize_summary(row: tuple[Any, ...]) -> tuple[Any, ...]:
    count, low, high, customers, first, last, total, stores = row
    return (count, low, high, int(customers), str(first)[:19], str(last)[:19], int(total), stores)


# ---------------------------------------------------------------- orchestration


def postgres_admin(pg_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{pg_url}/postgres", autocommit=True) as db:
        db.execute(statement)


def report(database: str, result: dict[str, Any]) -> float:
    ours, base = float(result["seconds"]), float(result["baseline"])
    rows = result["rows"]
    ratio = ours / base
    print(
        f"\n{database}: {rows:,} sales ({result['customers']:,} customers imported first in "
        f"{result['customers_seconds']:.1f} s)"
    )
    print(f"  ecoute import (run_import)  {ours:7.2f} s  {rows / ours:10,.0f} rows/s")
    if len(result.get("all_seconds", [])) > 1:
        print("  (fastest of " + ", ".join(f"{seconds:.2f} s" for seconds in result["all_seconds"]) + ")")
    print(
        f"  baseline (csv + {'COPY' if database == 'postgresql' else 'executemany'})"
        f"{'       ' if database == 'postgresql' else ''}{base:7.2f} s  {rows / base:10,.0f} rows/s"
    )
    print(
        f"  ratio {ratio:.2f} (target ≤ 2.0); the baseline ran before and after each run: "
        + ", ".join(f"{seconds:.2f} s" for seconds in result["baselines"])
    )
    print(f"  same rows as the baseline wrote (count, ids, customers, dates, amounts): {result['same_rows']}")
    print(
        f"  memory (resident): {result['rss_before']:.0f} MiB before, "
        f"{result['rss_checking']:.0f} MiB at most while checking,\n"
        f"    {result['rss_early']:.0f} MiB over the first fifth of the batches written, "
        f"{result['rss_late']:.0f} MiB over the last fifth; the import's peak {result['peak']:.0f} MiB"
    )
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=110_000)
    parser.add_argument("--transactions", type=int, default=1_000_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=1, help="runs per database; the fastest counts")
    parser.add_argument(
        "--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        folder = arguments.folder
        child(
            arguments.child,
            folder,
            folder / "export" / "clients.csv",
            folder / "ventes.csv",
            arguments.pg_url,
        )
        return
    ratios = {}
    with tempfile.TemporaryDirectory(prefix="ecoute-bench-") as name:
        folder = Path(name)
        write_files(folder, arguments.customers, arguments.transactions)
        for database in arguments.databases.split(","):
            runs = [run_child(database, folder, arguments.pg_url) for _ in range(arguments.runs)]
            ratios[database] = report(database, best_of(runs))
    print("\nratios: " + ", ".join(f"{db} {ratio:.2f}" for db, ratio in ratios.items()))


def run_child(database: str, folder: Path, pg_url: str) -> dict[str, Any]:
    """One run on a fresh database, in a process of its own."""
    if database == "postgresql":
        postgres_admin(pg_url, f"DROP DATABASE IF EXISTS {BENCH_DB}")
        postgres_admin(pg_url, f"CREATE DATABASE {BENCH_DB}")
    command = [sys.executable, __file__, "--child", database, "--folder", str(folder), "--pg-url", pg_url]
    try:
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    except subprocess.CalledProcessError as error:
        print(error.stdout, error.stderr, file=sys.stderr)
        raise
    finally:
        if database == "postgresql":
            postgres_admin(pg_url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def best_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """With several runs, the fastest of ours against the fastest baseline (noise only adds time);
    the memory figures are those of the first run."""
    best = dict(runs[0])
    best["seconds"] = min(run["seconds"] for run in runs)
    best["baselines"] = [seconds for run in runs for seconds in run["baselines"]]
    best["baseline"] = min(best["baselines"])
    best["all_seconds"] = [run["seconds"] for run in runs]
    best["same_rows"] = all(run["same_rows"] for run in runs)
    return best


if __name__ == "__main__":
    main()
