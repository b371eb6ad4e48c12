"""Two imports of the same customers at once, in opposite orders, both finish (PostgreSQL locks rows)."""

import subprocess
from pathlib import Path

import pytest
from django.db import connection

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer
from tests.conftest import subprocess_env
from tests.customers.importing import write_csv
from tests.processes import ecoute

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_imports_of_the_same_customers_in_opposite_orders_both_finish(
    org: Organization, tmp_path: Path
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite writes one import at a time: nothing can deadlock")
    # Given two exports of the same 20,000 customers, one in the reverse order of the other
    lines = [f"C{n};c{n}@exemple.fr" for n in range(20_000)]
    forward = write_csv(tmp_path / "a.csv", "Code client;E-mail\n" + "\n".join(lines) + "\n")
    backward = write_csv(tmp_path / "b.csv", "Code client;E-mail\n" + "\n".join(reversed(lines)) + "\n")

    # When both are imported at the same time
    runs = [
        subprocess.Popen(
            ecoute("import", "customers", str(path), "--org", org.slug),
            env=subprocess_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in (forward, backward)
    ]
    outcomes = [run.communicate(timeout=180) for run in runs]

    # Then neither is killed by a deadlock: both succeed, and each customer is there once
    assert [run.returncode for run in runs] == [0, 0], [err[-600:] for _out, err in outcomes]
    assert Customer.objects.filter(organization=org).count() == 20_000
