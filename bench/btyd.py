"""Benchmark `ecoute btyd` against lifetimes 0.11.3: time, peak memory and agreement.

1. Simulates N customers (default 1,000,000, about 4.4 transactions each) from BG/NBD with
   Gamma-Gamma amounts and writes them as a French CSV (';', dd/mm/yyyy, decimal comma) and a
   plain one (',', ISO dates, decimal point, string ids); --layout for one of them.
2. Runs the same end-to-end job with each, in its own process: `ecoute btyd` and a lifetimes
   script in a Python 3.11 venv this script builds under var/bench/ (lifetimes is never a
   dependency of Écoute); by default on both layouts, each job twice in turn (--runs), the best
   run of each counting (the machine is shared: a run may be slowed by others). Job: read the
   CSV, summarise, fit BG/NBD and Gamma-Gamma, score every customer, write the scores.
3. Compares wall time and peak memory (ru_maxrss of each child), and P(alive) per customer.
4. Times the Pareto/NBD fit on 100,000 customers against lifetimes' ParetoNBDFitter.

Targets: 15x faster end to end (process start included, on both layouts), at most half the peak
memory, P(alive) within 1e-3 on average, Pareto/NBD 50x faster. Exit status 1 when the two
implementations disagree.

Usage: python bench/btyd.py [--customers N] [--pareto-customers N] [--seed S] [--runs N]
       [--layout french|plain|both] [--without-lifetimes]

--without-lifetimes runs and reports ecoute's side only (no venv built, no ratio, no agreement): what
the benchmarks' smoke test uses to check that this script still runs.
"""

import argparse
import csv
import datetime as dt
import json
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ecoute.analytics.btyd import compress_histories, fit_pareto_nbd  # noqa: E402
from ecoute.analytics.btyd.simulate import (  # noqa: E402
    simulate_bgnbd,
    simulate_pareto_nbd,
    simulate_spend,
)

WORK = ROOT / "var" / "bench" / "btyd"
LIFETIMES_VENV = ROOT / "var" / "bench" / "lifetimes-venv"
LIFETIMES_SCRIPTS = Path(__file__).resolve().parent / "btyd_lifetimes"
LIFETIMES_REQUIREMENTS = [
    "lifetimes==0.11.3",
    "numpy==1.26.*",
    "pandas==1.5.*",
    "scipy==1.11.*",
    "autograd==1.6.*",
]
DEFAULT_CUSTOMERS = 1_000_000
LAYOUTS = ("french", "plain")
START = dt.date(2023, 1, 2)
ACQUISITION_DAYS = 84
CALIBRATION_DAYS = 364
HORIZON = 52
BGNBD = {"r": 1.0, "alpha": 8.0, "a": 0.7, "b": 3.0}
SPEND = {"p": 6.0, "q": 4.0, "v": 15.0}
PARETO = {"r": 0.6, "alpha": 9.0, "s": 0.7, "beta": 12.0}


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mib: float


@dataclass(frozen=True)
class LayoutResult:
    """Both jobs on one file layout: the best of each one's runs, and how far they agree."""

    layout: str
    ours: list[Run]
    theirs: list[Run]
    our_result: dict[str, Any]
    their_result: dict[str, Any]
    difference: dict[str, float]

    @property
    def speed(self) -> float:
        return min(run.seconds for run in self.theirs) / min(run.seconds for run in self.ours)

    @property
    def memory(self) -> float:
        return max(run.peak_mib for run in self.ours) / max(run.peak_mib for run in self.theirs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS)
    parser.add_argument("--pareto-customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20050101)
    parser.add_argument("--runs", type=int, default=2, help="runs of each job per layout (the best counts)")
    parser.add_argument(
        "--layout",
        choices=(*LAYOUTS, "both"),
        default="both",
        help="french: ';', dd/mm/yyyy, decimal comma, numeric ids; plain: ',', ISO dates, string ids",
    )
    parser.add_argument(
        "--without-lifetimes", action="store_true", help="time ecoute btyd alone: no lifetimes venv, no ratio"
    )
    options = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    if options.without_lifetimes:
        return report_ours_alone([run_ours_alone(layout, options) for layout in layouts_of(options)])
    python311 = ensure_lifetimes_venv()
    results = [run_layout(python311, layout, options) for layout in layouts_of(options)]
    say(f"Pareto/NBD on {options.pareto_customers:,} customers …")
    pareto = compare_pareto(python311, options.pareto_customers, options.seed)
    return report(results, pareto)


def layouts_of(options: argparse.Namespace) -> tuple[str, ...]:
    return LAYOUTS if options.layout == "both" else (options.layout,)


def transactions_file(layout: str, options: argparse.Namespace) -> Path:
    """The simulated file of this layout, written once."""
    name = "" if layout == "french" else f"{layout}-"
    transactions = WORK / f"transactions-{name}{options.customers}-{options.seed}.csv"
    if not transactions.exists():
        say(f"simulating {options.customers:,} customers …")
        write_transactions(transactions, options.customers, options.seed, layout)
    rows = sum(1 for _ in transactions.open("rb")) - 1
    size_mib = transactions.stat().st_size / 2**20
    say(f"{transactions.name}: {rows:,} transactions, {size_mib:.0f} MiB")
    return transactions


def ours_command(transactions: Path, scores: Path) -> list[str]:
    calibration_end = START + dt.timedelta(days=CALIBRATION_DAYS - 1)
    return [
        *(sys.executable, "-m", "ecoute", "btyd", str(transactions)),
        *("--calibration-end", calibration_end.isoformat(), "--model", "bgnbd", "--horizon", str(HORIZON)),
        *("--scores", str(scores), "--json"),
    ]


def run_ours_alone(layout: str, options: argparse.Namespace) -> tuple[str, list[Run]]:
    """ecoute btyd alone on the file of this layout, `options.runs` times."""
    command = ours_command(transactions_file(layout, options), WORK / "scores-ecoute.csv")
    result = WORK / "result-ecoute.json"
    runs = [measure(command, stdout=result, env=ecoute_environment()) for _ in range(max(1, options.runs))]
    return layout, runs


def report_ours_alone(results: list[tuple[str, list[Run]]]) -> int:
    for layout, runs in results:
        best = min(runs, key=lambda run: run.seconds)
        say(
            f"--- {layout} file: ecoute btyd best {best.seconds:.2f} s, peak {best.peak_mib:.0f} MiB; "
            "lifetimes not run (--without-lifetimes): no ratio"
        )
    return 0


def run_layout(python311: Path, layout: str, options: argparse.Namespace) -> LayoutResult:
    """Simulate the file of this layout once, then run each job `options.runs` times, in turn."""
    transactions = transactions_file(layout, options)
    calibration_end = START + dt.timedelta(days=CALIBRATION_DAYS - 1)
    ours_scores, theirs_scores = WORK / "scores-ecoute.csv", WORK / "scores-lifetimes.csv"
    ours_json, theirs_json = WORK / "result-ecoute.json", WORK / "params-lifetimes.json"
    our_command = ours_command(transactions, ours_scores)
    theirs_command = [
        *(str(python311), str(LIFETIMES_SCRIPTS / "job.py"), str(transactions), calibration_end.isoformat()),
        *(str(HORIZON), str(theirs_scores), str(theirs_json), layout),
    ]
    ours, theirs = [], []
    for run in range(1, options.runs + 1):
        say(f"{layout} file, run {run}: ecoute btyd …")
        ours.append(measure(our_command, stdout=ours_json, env=ecoute_environment()))
        say(f"  {ours[-1].seconds:.1f} s, {ours[-1].peak_mib:.0f} MiB")
        say(f"{layout} file, run {run}: lifetimes …")
        theirs.append(measure(theirs_command))
        say(f"  {theirs[-1].seconds:.1f} s, {theirs[-1].peak_mib:.0f} MiB")
    return LayoutResult(
        layout,
        ours,
        theirs,
        json.loads(ours_json.read_text()),
        json.loads(theirs_json.read_text()),
        p_alive_difference(ours_scores, theirs_scores),
    )


def say(text: str) -> None:
    print(text, flush=True)


def ensure_lifetimes_venv() -> Path:
    python = LIFETIMES_VENV / "bin" / "python"
    probe = [str(python), "-c", "import lifetimes, pandas; assert lifetimes.__version__ == '0.11.3'"]
    if python.exists() and subprocess.run(probe, capture_output=True, check=False).returncode == 0:
        return python
    say(f"building {LIFETIMES_VENV} (Python 3.11, lifetimes 0.11.3) …")
    environment = {**os.environ, "PYENV_VERSION": "3.11.7"}
    subprocess.run(["python3.11", "-m", "venv", str(LIFETIMES_VENV)], check=True, env=environment)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", *LIFETIMES_REQUIREMENTS], check=True)
    subprocess.run(probe, check=True)
    return python


def ecoute_environment() -> dict[str, str]:
    environment = dict(os.environ)
    # The command touches no database, but Django's settings want a secret key to load.
    environment.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    return environment


def write_transactions(path: Path, customers: int, seed: int, layout: str = "french") -> None:
    """BG/NBD purchases with Gamma-Gamma amounts, first purchases spread over 12 weeks.

    French layout: ';', dd/mm/yyyy, decimal comma, numeric ids; plain: ',', ISO dates, decimal
    point, string ids.
    """
    plain = layout == "plain"
    rng = np.random.default_rng(seed)
    first_day = rng.integers(0, ACQUISITION_DAYS, customers)
    age = (CALIBRATION_DAYS - 1 - first_day) / 7.0
    purchases = simulate_bgnbd(rng, age, r=BGNBD["r"], alpha=BGNBD["alpha"], a=BGNBD["a"], b=BGNBD["b"])
    amount = np.maximum(np.round(simulate_spend(rng, purchases.customer, customers, **SPEND), 2), 0.01)
    day = first_day[purchases.customer] + np.floor(purchases.time * 7.0).astype(np.int64)
    day_text = np.array(
        [
            (START + dt.timedelta(days=int(d))).strftime("%Y-%m-%d" if plain else "%d/%m/%Y")
            for d in range(CALIBRATION_DAYS)
        ]
    )
    # Shuffled, as an export sorted by date would be, not grouped by customer.
    order = rng.permutation(purchases.customer.size)
    temporary = path.with_suffix(".tmp")
    with temporary.open("w", encoding="utf-8", newline="") as stream:
        separator = "," if plain else ";"
        stream.write(f"customer_id{separator}date{separator}amount\n")
        for start in range(0, order.size, 500_000):
            chunk = order[start : start + 500_000]
            ids = [f"C{c:07d}" if plain else f"{c:07d}" for c in purchases.customer[chunk].tolist()]
            dates = day_text[day[chunk]].tolist()
            amounts = [f"{a:.2f}" if plain else f"{a:.2f}".replace(".", ",") for a in amount[chunk].tolist()]
            stream.write(
                "\n".join(
                    f"{i}{separator}{d}{separator}{a}" for i, d, a in zip(ids, dates, amounts, strict=True)
                )
            )
            stream.write("\n")
    temporary.rename(path)


def measure(command: list[str], stdout: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Wall time and peak resident memory of one child process."""
    with (stdout or Path(os.devnull)).open("wb") as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=output, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{command[0]} … exited with {process.returncode}")
    return Run(seconds, usage.ru_maxrss / 1024)


def p_alive_difference(ours: Path, theirs: Path) -> dict[str, float]:
    """Mean and largest absolute difference of P(alive), customer by customer."""

    def read(path: Path) -> dict[str, float]:
        with path.open(newline="") as stream:
            return {row["customer_id"]: float(row["p_alive"]) for row in csv.DictReader(stream)}

    mine, other = read(ours), read(theirs)
    if mine.keys() != other.keys():
        raise SystemExit("the two score files do not list the same customers")
    keys = sorted(mine)
    difference = np.abs(np.array([mine[k] for k in keys]) - np.array([other[k] for k in keys]))
    return {"mean": float(difference.mean()), "max": float(difference.max()), "customers": len(keys)}


def compare_pareto(python311: Path, customers: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed + 1)
    first_day = rng.integers(0, ACQUISITION_DAYS, customers)
    age_days = CALIBRATION_DAYS - 1 - first_day
    purchases = simulate_pareto_nbd(rng, age_days / 7.0, **PARETO)
    # Whole days, as from a real log.
    day = np.floor(purchases.time * 7.0).astype(np.int64)
    frequency, recency = day_histories(purchases.customer, day, customers)
    age = age_days / 7.0
    histories_csv = WORK / f"pareto-{customers}-{seed}.csv"
    with histories_csv.open("w") as stream:
        stream.write("frequency,recency,T\n")
        stream.write(
            "\n".join(
                f"{f:g},{r!r},{t!r}"
                for f, r, t in zip(frequency.tolist(), recency.tolist(), age.tolist(), strict=True)
            )
        )
        stream.write("\n")
    started = time.perf_counter()
    fitted = fit_pareto_nbd(compress_histories(frequency, recency, age))
    our_seconds = time.perf_counter() - started
    result = WORK / "pareto-lifetimes.json"
    subprocess.run(
        [str(python311), str(LIFETIMES_SCRIPTS / "pareto.py"), str(histories_csv), str(result)], check=True
    )
    theirs = json.loads(result.read_text())
    return {
        "ours": {"seconds": our_seconds, "params": fitted.model.params(), "loglik": fitted.log_likelihood},
        "theirs": theirs,
        "true": PARETO,
    }


def day_histories(
    customer: npt.NDArray[np.int64], day: npt.NDArray[np.int64], customers: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    key = np.unique(customer * 1000 + day)
    owner, days = key // 1000, key % 1000
    frequency = np.bincount(owner, minlength=customers).astype(np.float64) - 1.0
    last = np.zeros(customers, dtype=np.int64)
    np.maximum.at(last, owner, days)
    return frequency, last / 7.0


def report(results: list[LayoutResult], pareto: dict[str, Any]) -> int:
    pareto_ours, pareto_theirs = pareto["ours"], pareto["theirs"]
    pareto_speed = pareto_theirs["seconds"] / pareto_ours["seconds"]
    pareto_gap = max(abs(pareto_ours["params"][k] / pareto_theirs["params"][k] - 1) for k in PARETO)
    agree = pareto_gap <= 1e-2

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    columns = "{:<26} ecoute {:>9}   lifetimes {:>9}   {}"
    lines = ["", "=== BTYD benchmark: ecoute btyd vs lifetimes 0.11.3 ==="]
    for result in results:
        our_bg, their_bg = result.our_result["models"]["bgnbd"]["params"], result.their_result["bgnbd"]
        bg_gap = max(abs(our_bg[k] / their_bg[k] - 1) for k in BGNBD)
        difference = result.difference
        agree = agree and difference["mean"] <= 1e-3 and bg_gap <= 1e-2

        def seconds(runs: list[Run]) -> str:
            return "/".join(f"{run.seconds:.1f}" for run in runs)

        def paired(result: LayoutResult) -> str:
            """The ratio of each pair of runs made one after the other, under the same load."""
            pairs = zip(result.ours, result.theirs, strict=True)
            return "/".join(f"{theirs.seconds / ours.seconds:.1f}x" for ours, theirs in pairs)

        lines += [
            f"--- {result.layout} file: {difference['customers']:,} customers scored",
            columns.format(
                "end to end, best (s)",
                f"{min(run.seconds for run in result.ours):.2f}",
                f"{min(run.seconds for run in result.theirs):.1f}",
                f"lifetimes/ecoute {result.speed:.1f}x (target >= 15x: {verdict(result.speed >= 15)})",
            ),
            (
                f"{'every run (s)':<26} ecoute {seconds(result.ours)}   lifetimes {seconds(result.theirs)}"
                f"   run by run {paired(result)}"
            ),
            columns.format(
                "peak memory (MiB)",
                f"{max(run.peak_mib for run in result.ours):.0f}",
                f"{max(run.peak_mib for run in result.theirs):.0f}",
                f"ecoute/lifetimes {result.memory:.2f} (target <= 0.5: {verdict(result.memory <= 0.5)})",
            ),
            f"BG/NBD params              ecoute    {fmt(our_bg)}",
            f"                           lifetimes {fmt(their_bg)} (largest relative gap {bg_gap:.1e})",
            (
                f"P(alive) |difference|      mean {difference['mean']:.2e}, max {difference['max']:.2e} "
                f"(target mean <= 1e-3: {verdict(difference['mean'] <= 1e-3)})"
            ),
        ]
    lines += [
        "--- "
        + ", ".join(f"{result.layout} file {result.speed:.1f}x" for result in results)
        + " (target 15x)",
        columns.format(
            "Pareto/NBD fit (s)",
            f"{pareto_ours['seconds']:.2f}",
            f"{pareto_theirs['seconds']:.1f}",
            f"lifetimes/ecoute {pareto_speed:.0f}x (target >= 50x: {verdict(pareto_speed >= 50)})",
        ),
        f"Pareto/NBD params          ecoute    {fmt(pareto_ours['params'])}",
        f"                           lifetimes {fmt(pareto_theirs['params'])} (gap {pareto_gap:.1e})",
        f"                           simulated {fmt(PARETO)}",
        f"implementations agree      {'yes' if agree else 'NO'}",
    ]
    if any(result.difference["customers"] < DEFAULT_CUSTOMERS for result in results):
        lines.append(
            "(the speed and memory targets are for 1,000,000 customers and 100,000 for Pareto/NBD;"
            " smaller runs are dominated by start-up)"
        )
    say("\n".join(lines))
    return 0 if agree else 1


def fmt(params: dict[str, float]) -> str:
    return " ".join(f"{key}={value:.4f}" for key, value in params.items())


if __name__ == "__main__":
    raise SystemExit(main())
