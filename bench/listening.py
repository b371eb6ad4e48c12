"""Listening benchmarks, each a ratio against a baseline run in the same process.

(b) planning a wave for 100,000 customers with every contact rule, against a plain select and insert
    of the same number of rows without rules (target: at most 3) — see listening_planning.py.

    python bench/listening.py [--customers 100000] [--runs 3] [--databases sqlite,postgresql]

PostgreSQL: a database `ecoute_plan_bench` is created and dropped on --pg-url's server
(default postgres://postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

BENCH_DB = os.environ.get("BENCH_PG_DB", "ecoute_plan_bench")


def postgres_admin(pg_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{pg_url}/postgres", autocommit=True) as db:
        db.execute(statement)


def planning_child(database: str, folder: str, pg_url: str, customers: int, runs: int) -> None:
    import listening_planning

    url = f"sqlite:///{folder}/bench.sqlite3" if database == "sqlite" else f"{pg_url}/{BENCH_DB}"
    print(json.dumps(listening_planning.run(url, folder, customers, runs)))


def seconds(runs: list[float]) -> str:
    return ", ".join(f"{run:.2f}" for run in runs)


def planning(database: str, pg_url: str, customers: int, runs: int) -> float:
    """Part (b) on one database, in a process of its own; prints and returns the ratio."""
    with tempfile.TemporaryDirectory(prefix="ecoute-bench-") as folder:
        if database == "postgresql":
            postgres_admin(pg_url, f"DROP DATABASE IF EXISTS {BENCH_DB}")
            postgres_admin(pg_url, f"CREATE DATABASE {BENCH_DB}")
        command = [
            sys.executable,
            __file__,
            "--child",
            database,
            "--folder",
            folder,
            "--pg-url",
            pg_url,
            "--customers",
            str(customers),
            "--runs",
            str(runs),
        ]
        try:
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        except subprocess.CalledProcessError as error:
            print(error.stdout, error.stderr, file=sys.stderr)
            raise
        finally:
            if database == "postgresql":
                postgres_admin(pg_url, f"DROP DATABASE IF EXISTS {BENCH_DB}")
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    ours, base = float(min(result["ours"])), float(min(result["baseline"]))
    ratio = ours / base
    counts = result["counts"]
    print(
        f"\n(b) {database}: planning a wave for {result['customers']:,} customers "
        f"(data made in {result['populated']:.1f} s)"
    )
    print(f"  plan_invitations, every rule   {ours:6.2f} s  (runs: {seconds(result['ours'])})")
    print(f"  plain select + insert, no rule {base:6.2f} s  (runs: {seconds(result['baseline'])})")
    print(
        f"  invited {counts['planned']:,}; skipped "
        + ", ".join(f"{k} {v:,}" for k, v in counts["skipped"].items())
    )
    print(f"  ratio {ratio:.2f} (target ≤ 3)")
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        planning_child(
            arguments.child, arguments.folder, arguments.pg_url, arguments.customers, arguments.runs
        )
        return
    ratios = {
        db: planning(db, arguments.pg_url, arguments.customers, arguments.runs)
        for db in arguments.databases.split(",")
    }
    print("\nratios (b) planning: " + ", ".join(f"{db} {ratio:.2f}" for db, ratio in ratios.items()))


if __name__ == "__main__":
    main()
