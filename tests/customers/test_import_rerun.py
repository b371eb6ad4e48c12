"""Rerunning an import updates rows and never duplicates them, even after a crash half-way."""

import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from ecoute.accounts.models import Organization
from ecoute.customers.importing import pipeline
from ecoute.customers.importing.pipeline import run_import as run_pipeline
from ecoute.customers.importing.request import ImportRequest
from ecoute.customers.models import Customer, Transaction
from tests.conftest import subprocess_env
from tests.customers.importing import run_import, write_csv


def _customers_file(tmp_path: Path, count: int, city: str = "Paris") -> Path:
    rows = "".join(f"C{i};Nom{i};c{i}@exemple.fr;{city}\n" for i in range(count))
    return write_csv(tmp_path / "clients.csv", "Code client;Nom;E-mail;Ville\n" + rows)


def test_rerunning_a_customer_import_updates_by_crm_id_without_duplicates(
    tmp_path: Path, org: Organization
) -> None:
    run_import("customers", str(_customers_file(tmp_path, 20)), "--org", org.slug)
    # When the CRM exports again with changed cities
    run_import("customers", str(_customers_file(tmp_path, 20, city="Lyon")), "--org", org.slug)
    # Then there are still 20 customers, with the new city
    assert Customer.objects.filter(organization=org).count() == 20
    assert set(Customer.objects.values_list("city", flat=True)) == {"Lyon"}


def test_a_file_that_leaves_a_column_out_does_not_erase_it(tmp_path: Path, org: Organization) -> None:
    run_import("customers", str(_customers_file(tmp_path, 3)), "--org", org.slug)
    path = write_csv(tmp_path / "phones.csv", "Code client;Téléphone\nC1;0612345678\n")
    run_import("customers", str(path), "--org", org.slug)
    customer = Customer.objects.get(external_id="C1")
    assert (customer.phone, customer.city, customer.email) == ("0612345678", "Paris", "c1@exemple.fr")


def test_sales_without_their_own_id_are_matched_by_customer_date_and_amount(
    tmp_path: Path, org: Organization
) -> None:
    run_import("customers", str(_customers_file(tmp_path, 3)), "--org", org.slug)
    path = write_csv(
        tmp_path / "ventes.csv", "Code client;Date;Montant\nC1;02/05/2024;10,00\nC2;02/05/2024;20,00\n"
    )
    run_import("transactions", str(path), "--org", org.slug)
    run_import("transactions", str(path), "--org", org.slug)
    assert Transaction.objects.filter(organization=org).count() == 2
    assert Customer.objects.get(external_id="C1").purchases_count == 1


def test_the_same_crm_id_in_two_organizations_stays_two_customers(
    tmp_path: Path, org: Organization, other_org: Organization
) -> None:
    path = _customers_file(tmp_path, 2)
    run_import("customers", str(path), "--org", org.slug)
    run_import("customers", str(path), "--org", other_org.slug)
    assert Customer.objects.filter(external_id="C1").count() == 2


@pytest.mark.django_db(transaction=True)
def test_an_import_that_crashes_half_way_and_is_rerun_ends_with_exactly_the_rows_of_the_file(
    tmp_path: Path, org: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an import of 12,000 customers that dies after its first batches were committed
    path = _customers_file(tmp_path, 12_000)
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 1000)
    request = ImportRequest(org.pk, org.time_zone, "customers", path)
    written_batches = 0

    def crash_after_three_batches(phase: str, done: int, total: int) -> None:
        nonlocal written_batches
        if phase == "writing":
            written_batches += 1
            if written_batches == 3:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_pipeline(request, crash_after_three_batches)
    partial = Customer.objects.filter(organization=org).count()
    assert 0 < partial < 12_000
    # When it is run again
    outcome = run_pipeline(request)
    # Then the database holds exactly the file's rows
    assert outcome.ok
    assert Customer.objects.filter(organization=org).count() == 12_000
    assert Customer.objects.filter(organization=org, external_id="C11999").exists()


@pytest.mark.django_db(transaction=True)
def test_an_import_process_killed_half_way_and_rerun_leaves_no_duplicate(
    tmp_path: Path, org: Organization
) -> None:
    # Given customers, and a sales file of 60,000 rows imported by the command in its own process
    run_import("customers", str(_customers_file(tmp_path, 100)), "--org", org.slug)
    rows = "".join(f"V{i};C{i % 100};{1 + i % 28:02d}/03/2024;{i % 90},50\n" for i in range(60_000))
    path = write_csv(tmp_path / "ventes.csv", "N° commande;Code client;Date;Montant\n" + rows)
    command = [sys.executable, "-m", "ecoute", "import", "transactions", str(path), "--org", org.slug]
    process = subprocess.Popen(
        command, env=subprocess_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    # When it is killed once some rows are written
    deadline = time.monotonic() + 60
    while Transaction.objects.filter(organization=org).count() == 0 and time.monotonic() < deadline:
        if process.poll() is not None:
            break
        time.sleep(0.05)
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.wait()
    # And the import is run again
    result = subprocess.run(command, env=subprocess_env(), capture_output=True, text=True, check=False)
    # Then every sale is there exactly once
    assert result.returncode == 0, result.stderr
    assert Transaction.objects.filter(organization=org).count() == 60_000
    assert Transaction.objects.get(external_id="V59999").amount == Decimal(f"{59_999 % 90}.50")
