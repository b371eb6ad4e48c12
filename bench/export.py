"""Exporting a million customers, as CSV and as xlsx, against a raw csv.writer over the same cursor.

On a fresh database (SQLite in a temporary folder, or --database-url), `customers` customers are
written; then, in the same process:

- baseline: one SELECT of the list's columns in the list's order on a raw cursor, each row written by
  the standard library's csv.writer into a sink that only counts characters;
- CSV: the customer list's export view (the organization's owner, no filter), its streamed body
  consumed and counted — the export's count, audit row, chunked reading, French formatting and
  formula-safe writer included;
- xlsx: the same view's Excel file;
- in the background: the whole list asked for past EXPORT_STREAM_MAX_ROWS, its task then run in this
  process as a worker runs it (claimed, written under a lease into private storage, renamed once
  complete), as CSV and as xlsx, with the number of xlsx rows that take 20 s (the threshold's measure).

Each export runs on a tenth of the customers, then on all of them; each prints its time, its rows per
second, how much the process's resident memory grew while it ran (sampled by a thread), and, for all
the customers, its ratio to the baseline. Constant memory: a tenth and all take about the same.

    python bench/export.py [--customers 1000000]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


class CountingSink:
    def __init__(self) -> None:
        self.size = 0

    def write(self, text: str) -> int:
        self.size += len(text)
        return len(text)


def setup_django(database_url: str, var_dir: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["ECOUTE_VAR_DIR"] = var_dir
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)
    os.environ["DEBUG"] = "0"
    os.environ["SECURE_HTTPS"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SETTINGS_MODULE"] = "ecoute.settings"
    import django

    django.setup()


# A million customers written by SQLite itself (what is measured is reading them): names, companies,
# regions, purchases, last purchases three minutes apart (none for one in seven), consent for a third.
SQLITE_CUSTOMERS = """
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < %s)
INSERT INTO customers_customer (
    organization_id, external_id, email, phone, phone_e164, first_name, last_name, company, language,
    address_line1, address_line2, postcode, city, region, country, attributes, created_at, updated_at,
    last_purchase_at, purchases_count, email_consent, search_name)
SELECT %s, 'C' || i, 'client' || i || '@exemple.fr', '', '',
    CASE i % 4 WHEN 0 THEN 'Hélène' WHEN 1 THEN 'Zoé' WHEN 2 THEN 'Loïc' ELSE 'Chloé' END,
    'Lefèvre' || (i % 9973), CASE WHEN i % 5 = 0 THEN 'Société ' || (i % 101) ELSE '' END, '', '', '', '', '',
    CASE i % 5 WHEN 0 THEN 'Bretagne' WHEN 1 THEN 'Occitanie' WHEN 2 THEN 'Île-de-France'
        WHEN 3 THEN 'Normandie' ELSE 'Grand Est' END,
    'FR', '{}', '2020-01-01 00:00:00', '2020-01-01 00:00:00',
    CASE WHEN i % 7 = 0 THEN NULL ELSE datetime('2020-01-01', '+' || (i * 3) || ' minutes') END,
    i % 17, i % 3 = 0,
    'lefevre' || (i % 9973) || ' ' ||
        CASE i % 4 WHEN 0 THEN 'helene' WHEN 1 THEN 'zoe' WHEN 2 THEN 'loic' ELSE 'chloe' END
FROM n
"""


def populate(customers: int) -> Any:
    """The organization, its owner, and `customers` customers."""
    from django.db import connection
    from fresh_database import migrate

    from ecoute.accounts.models import Membership, Organization, Role, User

    migrate()
    org = Organization.objects.create(slug="bench", name="Bench", time_zone="Europe/Paris")
    owner = User.objects.create_user("owner@bench.example")
    Membership.objects.create(user=owner, organization=org, role=Role.OWNER)
    if connection.vendor != "sqlite":
        raise SystemExit("bench/export.py writes its customers with SQLite's own SQL: run it on SQLite")
    with connection.cursor() as cursor:
        cursor.execute(SQLITE_CUSTOMERS, [customers, org.pk])
    return owner


def baseline(limit: int) -> tuple[int, int]:
    """The list's columns on a raw cursor, written by csv.writer: (rows, characters)."""
    from django.db import connection

    sink = CountingSink()
    writer = csv.writer(sink, delimiter=";")
    rows = 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT first_name, last_name, company, email, external_id, region, purchases_count, "
            "last_purchase_at, email_consent FROM customers_customer ORDER BY search_name, id LIMIT %s",
            [limit],
        )
        while chunk := cursor.fetchmany(2000):
            writer.writerows(chunk)
            rows += len(chunk)
    return rows, sink.size


def export(owner: Any, file_format: str, limit: int) -> tuple[int, int]:
    """The export view's answer, consumed: (rows, bytes). `limit` customers are read (a sliced list)."""
    from django.test import Client, override_settings

    from ecoute.customers import views

    client = Client()
    client.force_login(owner)
    original = views.customers_to_export  # type: ignore[attr-defined]

    def limited(organization: Any, query: Any) -> Any:
        return replace(
            original(organization, query), customers=original(organization, query).customers[:limit]
        )

    views.customers_to_export = limited  # type: ignore[attr-defined]
    try:
        with override_settings(EXPORT_STREAM_MAX_ROWS=limit):
            response = client.get(f"/customers/export.{file_format}")
        size = sum(len(piece) for piece in response.streaming_content)  # type: ignore[attr-defined,misc]
        response.close()
    finally:
        views.customers_to_export = original  # type: ignore[attr-defined]
    from ecoute.accounts.models import AuditEvent

    return int(AuditEvent.objects.latest("id").row_count or 0), size


def background_export(owner: Any, file_format: str) -> tuple[int, int]:
    """The whole list asked for past the streaming threshold, then its task run here as a worker runs it
    (claimed, written under a lease into private storage, renamed once complete): (rows, bytes)."""
    from django.test import Client, override_settings

    from ecoute.customers.models import ExportJob
    from ecoute.customers.tasks import run_export_task

    client = Client()
    client.force_login(owner)
    with override_settings(EXPORT_STREAM_MAX_ROWS=0):
        assert client.get(f"/customers/export.{file_format}").status_code == 302
    job = ExportJob.objects.latest("id")
    run_export_task.call(job.pk)
    job.refresh_from_db()
    assert job.status == "ready", (job.status, job.message)
    return job.rows_written, int(job.file_size or 0)


def timed(work: Callable[[], tuple[int, int]]) -> tuple[float, int, int]:
    started = time.perf_counter()
    rows, size = work()
    return time.perf_counter() - started, rows, size


def resident() -> int:
    """The process's resident memory, in bytes (Linux)."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def timed_with_peak(work: Callable[[], tuple[int, int]]) -> tuple[float, int, int, int]:
    """(seconds, rows, size, the most the resident memory grew while `work` ran), sampled every 20 ms."""
    before = resident()
    highest = before
    done = threading.Event()

    def watch() -> None:
        nonlocal highest
        while not done.wait(0.02):
            highest = max(highest, resident())

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        spent, rows, size = timed(work)
    finally:
        done.set()
        watcher.join()
    return spent, rows, size, max(highest, resident()) - before


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    arguments = parser.parse_args()
    customers = arguments.customers
    with tempfile.TemporaryDirectory(prefix="ecoute-export-bench-") as folder:
        setup_django(f"sqlite:///{folder}/bench.sqlite3", folder)
        from django.db import connection

        started = time.perf_counter()
        owner = populate(customers)
        print(
            f"{connection.vendor}: {customers:,} customers written in {time.perf_counter() - started:.1f} s"
        )

        export(owner, "csv", 10)  # the first request imports the views
        base_time, base_rows, _size, base_growth = timed_with_peak(lambda: baseline(customers))
        print(
            f"baseline  raw cursor + csv.writer   {base_time:7.1f} s  {base_rows / base_time:9,.0f} rows/s  "
            f"memory +{base_growth / 1e6:5.1f} MB"
        )
        for file_format in ("csv", "xlsx"):
            for limit in (customers // 10, customers):
                spent, rows, size, growth = timed_with_peak(partial(export, owner, file_format, limit))
                assert rows == limit, (rows, limit)
                print(
                    f"{file_format:5} {rows:>9,} rows  {spent:7.1f} s  {rows / spent:9,.0f} rows/s  "
                    f"{size / 1e6:6.1f} MB  memory +{growth / 1e6:5.1f} MB"
                    + (f"  ratio to baseline {spent / base_time:5.2f}" if limit == customers else "")
                )
        for file_format in ("csv", "xlsx"):
            spent, rows, size, growth = timed_with_peak(partial(background_export, owner, file_format))
            print(
                f"{file_format:5} {rows:>9,} rows in the background  {spent:7.1f} s  "
                f"{rows / spent:9,.0f} rows/s  {size / 1e6:6.1f} MB  memory +{growth / 1e6:5.1f} MB"
            )
            if file_format == "xlsx":
                print(
                    f"EXPORT_STREAM_MAX_ROWS: an xlsx file of {20 * rows / spent:,.0f} rows takes 20 s "
                    "here (the slower format sets the threshold)"
                )
        print(
            "memory: the resident memory's growth while each ran (sampled every 20 ms); constant memory "
            "means a tenth of the rows and all of them take about the same"
        )


if __name__ == "__main__":
    main()
