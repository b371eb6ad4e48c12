"""Reading and parsing a French CSV export with ecoute.lib.tabular against bare stdlib code.

Prints the ratio (ours / baseline) for one pass over N rows of customer id, dd/mm/yyyy
date and decimal-comma amount. The baseline is what a hand-written loop would do:
csv.reader, ``Decimal(x.replace(",", "."))`` and date slicing, with none of the checks.
The importer's first pass (DateColumn.observe over the date column) is timed apart.
Times are the best CPU time (process_time) of interleaved runs.

    python bench/tabular.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ecoute.lib.dates import DateColumn
from ecoute.lib.tabular import open_table
from ecoute.lib.values import parse_decimal


def write_export(path: Path, rows: int) -> None:
    rng = random.Random(42)
    start = dt.date(2021, 1, 1)
    with path.open("w", encoding="cp1252", newline="") as handle:
        handle.write("N° client;Date d'achat;Montant TTC\r\n")
        for index in range(rows):
            day = start + dt.timedelta(days=rng.randrange(1500))
            cents = rng.randrange(100, 500_000)
            handle.write(f"C{index % 50_000:06d};{day:%d/%m/%Y};{cents // 100},{cents % 100:02d}\r\n")


def baseline(path: Path) -> tuple[int, Decimal]:
    count, total = 0, Decimal(0)
    with path.open(encoding="cp1252", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        next(reader)
        for _customer, day, amount in reader:
            total += Decimal(amount.replace(",", "."))
            dt.date(int(day[6:10]), int(day[3:5]), int(day[0:2]))
            count += 1
    return count, total


def ours(path: Path) -> tuple[int, Decimal]:
    count, total = 0, Decimal(0)
    with open_table(path) as table:
        parse_day = DateColumn().resolve()
        for _line, (_customer, day, amount) in table.rows():
            total += parse_decimal(amount)
            parse_day(day)
            count += 1
    return count, total


def observe_pass(path: Path) -> int:
    column = DateColumn()
    with open_table(path) as table:
        for line, values in table.rows():
            column.observe(values[1], line=line)
    column.resolve()
    return 0


def best_times(runs: int, path: Path) -> dict[str, float]:
    """Best CPU time of each reader; runs alternate so that a busy machine hurts both alike."""
    readers = {"baseline": baseline, "ours": ours, "observe": observe_pass}
    best = dict.fromkeys(readers, float("inf"))
    for _ in range(runs):
        for name, read in readers.items():
            started = time.process_time()
            read(path)
            best[name] = min(best[name], time.process_time() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ventes.csv"
        write_export(path, arguments.rows)
        assert baseline(path) == ours(path), "both readers must agree"
        best = best_times(arguments.runs, path)
        base, mine, observing = best["baseline"], best["ours"], best["observe"]
    rows = arguments.rows
    print(f"rows: {rows:,}  file: customer id; dd/mm/yyyy; amount with decimal comma (cp1252)")
    print(f"baseline (csv.reader + Decimal + slicing): {base:.2f} s  ({base / rows * 1e6:.2f} µs/row)")
    print(f"ecoute.lib.tabular (one pass):            {mine:.2f} s  ({mine / rows * 1e6:.2f} µs/row)")
    print(f"first pass (DateColumn.observe):          {observing:.2f} s")
    print(f"ratio: {mine / base:.2f}")


if __name__ == "__main__":
    main()
