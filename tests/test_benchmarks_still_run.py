"""Every benchmark still runs: each script of bench/ (each one `make bench` runs), at its smallest size on
SQLite, exits 0 and prints the line of its result, so that a change to what a benchmark calls (a writer's
columns, a function's arguments) breaks a test, not the next measurement.

The sizes are the smallest that go through every step of each script (the figures mean nothing at that
size); PostgreSQL legs are left out, and bench/btyd.py leaves out lifetimes, which needs a venv of its own.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"

# Each script: the arguments of its smallest run, and the result line it must print.
SMALLEST: dict[str, tuple[list[str], list[str]]] = {
    "btyd.py": (
        ["--customers", "2000", "--runs", "1", "--layout", "french", "--without-lifetimes"],
        [r"--- french file: ecoute btyd best \d+\.\d+ s"],
    ),
    "export.py": (
        ["--customers", "2000"],
        [
            r"csv +2,000 rows .* ratio to baseline +\d+\.\d+",
            r"xlsx +2,000 rows .* ratio to baseline +\d+\.\d+",
        ],
    ),
    "import.py": (
        ["--customers", "200", "--transactions", "2000", "--databases", "sqlite"],
        [r"ratios: sqlite \d+\.\d+"],
    ),
    "listening.py": (
        [
            "--customers",
            "200",
            "--runs",
            "1",
            "--seconds",
            "0.5",
            "--invitations",
            "1000",
            "--databases",
            "sqlite",
        ],
        [r"ratios \(a\) answering: sqlite \d+\.\d+", r"ratios \(b\) planning: sqlite \d+\.\d+"],
    ),
    "lost_customers.py": (
        ["--customers", "2000"],
        [r"a page of 50 customers and the count .* × the baseline"],
    ),
    "retention.py": (["--customers", "2000"], [r"the goal of \d+ s for this size"]),
    "search.py": (
        ["--customers", "2000", "--databases", "sqlite"],
        [r"slowest: .*\(target < 0\.5 s: met\).* ratio \d+"],
    ),
    "tabular.py": (["--rows", "2000", "--runs", "1"], [r"ratio: \d+\.\d+"]),
}

# The scripts run on SQLite whatever database the suite runs on: once, in the SQLite leg.
pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "sqlite").startswith("postgres"),
    reason="the benchmarks run on SQLite: checked in the suite's SQLite leg",
)


def _scripts() -> list[str]:
    return sorted(
        path.name for path in BENCH.glob("*.py") if 'if __name__ == "__main__":' in path.read_text()
    )


def test_every_benchmark_is_run_by_make_bench_and_here() -> None:
    # Given the scripts of bench/ (the modules they import have no entry point of their own)
    scripts = _scripts()
    # When `make bench` and this module are read
    made = re.findall(r"\$\(PY\) bench/(\w+\.py)", (ROOT / "Makefile").read_text())
    # Then each script is run by both
    assert scripts == sorted(made)
    assert scripts == sorted(SMALLEST)


@pytest.mark.parametrize("script", sorted(SMALLEST))
def test_a_benchmark_runs_at_its_smallest_size_and_prints_its_result(script: str) -> None:
    # Given a benchmark's smallest arguments, and no database of the suite in its environment
    arguments, results = SMALLEST[script]
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "BENCH_PG_DB", "BENCH_PG_URL"}
    }
    # When it runs
    finished = subprocess.run(
        [sys.executable, str(BENCH / script), *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # Then it exits 0 and prints its result
    assert finished.returncode == 0, finished.stderr[-3000:]
    for result in results:
        assert re.search(result, finished.stdout), (result, finished.stdout[-3000:])
