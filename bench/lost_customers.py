"""The lost-customers page on a large shop: each segment's figures (one GROUP BY) and a page of the
segment's customers, timed on SQLite against a baseline run in the same process — one pass summing
every customer's sales (SELECT customer_id, SUM(amount) … GROUP BY customer_id).

Writes a shop of N customers (default 200,000, about a million sales) buying as a BG/NBD model says,
with stores and regions, scores it and computes the statuses (not timed), then prints for each
dimension the time of the figures and its ratio to the baseline.

    python bench/lost_customers.py [--customers 200000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from retention import NOW, PARAMETERS, setup_django  # noqa: E402

STORES = ("Rennes", "Nantes", "Brest", "Web", "")
REGIONS = ("Bretagne", "Pays de la Loire", "Île-de-France", "")


def timed(action: Callable[[], object], repeat: int = 3) -> float:
    """The best of `repeat` runs, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best


def run(customers: int) -> None:
    from django.core.paginator import Paginator
    from django.db import connection
    from fresh_database import migrate

    from ecoute.accounts.models import Organization
    from ecoute.customers.queries import refresh_purchase_stats
    from ecoute.retention.lost_customers import segment_figures
    from ecoute.retention.scores import score_and_classify
    from ecoute.retention.segments import DIMENSIONS, RetentionSegment
    from ecoute.retention.simulated_shop import write_simulated_shop

    migrate()
    organization = Organization.objects.create(slug="bench", name="Bench")
    started = time.perf_counter()
    size = write_simulated_shop(organization, customers, now=NOW, parameters=PARAMETERS)
    with connection.cursor() as cursor:
        stores = " ".join(f"WHEN {i} THEN '{name}'" for i, name in enumerate(STORES))
        cursor.execute(f"UPDATE customers_transaction SET store = CASE id % {len(STORES)} {stores} END")  # noqa: S608
        regions = " ".join(f"WHEN {i} THEN '{name}'" for i, name in enumerate(REGIONS))
        cursor.execute(f"UPDATE customers_customer SET region = CASE id % {len(REGIONS)} {regions} END")  # noqa: S608
    refresh_purchase_stats(organization.pk)
    score_and_classify(organization, NOW)
    slipping = RetentionSegment().customers(organization).count()
    print(
        f"shop: {size.customers:,} customers, {size.transactions:,} sales, {slipping:,} lost or at risk "
        f"({time.perf_counter() - started:.1f} s to write and score, not timed below)"
    )

    def baseline() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT customer_id, SUM(amount) FROM customers_transaction WHERE organization_id = %s "
                "GROUP BY customer_id",
                [organization.pk],
            )
            cursor.fetchall()

    base = timed(baseline)
    print(f"baseline, every customer's sales summed: {base:.2f} s")
    for dimension in DIMENSIONS:
        seconds = timed(partial(segment_figures, organization, RetentionSegment(), dimension))
        print(f"  figures by {dimension:<8} {seconds:6.2f} s  {seconds / base:5.1f} × the baseline")
    narrowed = RetentionSegment(status="lost", store="Rennes", region="Bretagne")
    seconds = timed(lambda: segment_figures(organization, narrowed, "value"))
    print(f"  figures of a narrow segment {seconds:6.2f} s  {seconds / base:5.1f} × the baseline")

    def first_page() -> None:
        page = Paginator(RetentionSegment().customers(organization), 50).get_page(1)
        list(page)

    seconds = timed(first_page)
    print(f"  a page of 50 customers and the count {seconds:6.2f} s  {seconds / base:5.1f} × the baseline")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=200_000)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ecoute-bench-lost-") as scratch:
        setup_django(Path(scratch) / "lost.sqlite3")
        run(arguments.customers)


if __name__ == "__main__":
    main()
