"""Listening benchmarks, each a ratio against a baseline run in the same process.

(a) public answer submissions per second under gunicorn on loopback, against /health/ requests per
    second in the same run (target: at least 0.35) — see listening_answers.py.
(b) planning a wave for 100,000 customers with every contact rule, against a plain select and insert
    of the same number of rows without rules (target: at most 3) — see listening_planning.py.

    python bench/listening.py [--parts a,b] [--customers 100000] [--runs 3] [--seconds 10]
                              [--databases sqlite,postgresql]

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


def child(part: str, database: str, folder: str, arguments: argparse.Namespace) -> None:
    url = f"sqlite:///{folder}/bench.sqlite3" if database == "sqlite" else f"{arguments.pg_url}/{BENCH_DB}"
    if part == "a":
        import listening_answers

        print(json.dumps(listening_answers.run(url, folder, arguments.seconds, arguments.invitations)))
    else:
        import listening_planning

        print(json.dumps(listening_planning.run(url, folder, arguments.customers, arguments.runs)))


def in_child(part: str, database: str, arguments: argparse.Namespace) -> dict[str, Any]:
    """Run one part on one fresh database, in a process of its own; its JSON result."""
    with tempfile.TemporaryDirectory(prefix="ecoute-bench-") as folder:
        if database == "postgresql":
            postgres_admin(arguments.pg_url, f"DROP DATABASE IF EXISTS {BENCH_DB}")
            postgres_admin(arguments.pg_url, f"CREATE DATABASE {BENCH_DB}")
        command = [sys.executable, __file__, "--child", database, "--part", part, "--folder", folder]
        for option in ("pg_url", "customers", "runs", "seconds", "invitations"):
            command += [f"--{option.replace('_', '-')}", str(getattr(arguments, option))]
        try:
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        except subprocess.CalledProcessError as error:
            print(error.stdout, error.stderr, file=sys.stderr)
            raise
        finally:
            if database == "postgresql":
                postgres_admin(arguments.pg_url, f"DROP DATABASE IF EXISTS {BENCH_DB}")
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def answering(database: str, arguments: argparse.Namespace) -> float:
    """Part (a) on one database; prints and returns the ratio."""
    result = in_child("a", database, arguments)
    ratio = float(result["answers"]) / float(result["trivial"])
    print(
        f"\n(a) {database}: gunicorn with {result['workers']} workers, {result['clients']} clients, "
        f"{arguments.seconds:g} s each, in turns of a second"
    )
    print(f"  GET /health/ (trivial page)      {result['trivial']:8.1f} requests/s")
    print(f"  POST /s/<token> (an answer)      {result['answers']:8.1f} requests/s")
    print(f"  responses completed: {result['completed']:,} ({result['warm_up_answers']:,} while warming up)")
    print(f"  ratio {ratio:.2f} (target ≥ 0.35)")
    return ratio


def seconds(runs: list[float]) -> str:
    return ", ".join(f"{run:.2f}" for run in runs)


def planning(database: str, arguments: argparse.Namespace) -> float:
    """Part (b) on one database, in a process of its own; prints and returns the ratio."""
    result = in_child("b", database, arguments)
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
    parser.add_argument("--parts", default="a,b")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--invitations", type=int, default=20_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--part", choices=["a", "b"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child(arguments.part, arguments.child, arguments.folder, arguments)
        return
    parts = arguments.parts.split(",")
    databases = arguments.databases.split(",")
    if "a" in parts:
        ratios = {db: answering(db, arguments) for db in databases}
        print("\nratios (a) answering: " + ", ".join(f"{db} {ratio:.2f}" for db, ratio in ratios.items()))
    if "b" in parts:
        ratios = {db: planning(db, arguments) for db in databases}
        print("\nratios (b) planning: " + ", ".join(f"{db} {ratio:.2f}" for db, ratio in ratios.items()))


if __name__ == "__main__":
    main()
