"""Lines that repeat a key already in the file are folded into one stored row, and counted as such:
the command, the import page, the import record and the API say what was stored."""

from pathlib import Path

from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import Organization
from ecoute.customers.actions import run_import_job, start_import_job
from ecoute.customers.models import Customer, ImportJob, Transaction
from tests.customers.importing import run_import, write_csv
from tests.factories import CustomerFactory

# Three lines, two customers: C1 comes twice, and the second line of C1 wins.
CUSTOMERS = "N° client;Nom;Ville\nC1;Durand;Paris\nC2;Petit;Lyon\nC1;Durand;Nantes\n"


def test_the_command_counts_rows_stored_and_duplicates_folded(tmp_path: Path, org: Organization) -> None:
    path = write_csv(tmp_path / "clients.csv", CUSTOMERS)
    out, _err = run_import("customers", str(path), "--org", org.slug, "--language", "en")
    assert "2 rows imported, 1 duplicate line folded into an earlier one, 0 rejected, from 3 lines." in out
    assert Customer.objects.get(organization=org, external_id="C1").city == "Nantes"
    job = ImportJob.objects.get(original_name="clients.csv")
    assert (job.rows_total, job.rows_written, job.rows_duplicate) == (3, 2, 1)


def test_the_command_says_it_in_french_with_french_plurals(tmp_path: Path, org: Organization) -> None:
    path = write_csv(tmp_path / "clients.csv", CUSTOMERS)
    out, _err = run_import("customers", str(path), "--org", org.slug, "--language", "fr")
    assert (
        "2 lignes importées, 1 ligne en double fusionnée avec une précédente, 0 rejetée, sur 3 lignes." in out
    )


def test_a_dry_run_predicts_the_same_counts(tmp_path: Path, org: Organization) -> None:
    path = write_csv(tmp_path / "clients.csv", CUSTOMERS)
    out, _err = run_import("customers", str(path), "--org", org.slug, "--dry-run", "--language", "en")
    assert "2 rows to import, 1 duplicate line folded into an earlier one, 0 rejected, from 3 lines" in out
    assert not Customer.objects.filter(organization=org).exists()
    job = ImportJob.objects.get(original_name="clients.csv")
    assert (job.status, job.rows_written, job.rows_duplicate) == ("checked", 2, 1)


def test_sales_without_an_id_repeated_in_the_file_are_distinct_purchases(
    tmp_path: Path, org: Organization
) -> None:
    # Given two identical purchases of a day, without a sale id
    CustomerFactory.create(organization=org, external_id="C1")
    sales = "N° client;Date;Montant\nC1;03/04/2024;12,50\nC1;03/04/2024;12,50\nC1;04/04/2024;12,50\n"
    path = write_csv(tmp_path / "ventes.csv", sales)
    # When they are imported
    outcome = run_import_job(start_import_job(org, "transactions", path, original_name="ventes.csv"))
    # Then each is a sale
    assert (outcome.written, outcome.duplicates) == (3, 0)
    assert Transaction.objects.filter(organization=org).count() == 3


def test_the_import_page_shows_the_duplicates_folded(
    owner_client: Client, org: Organization, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "clients.csv", CUSTOMERS)
    lease = start_import_job(org, "customers", path, original_name="clients.csv")
    run_import_job(lease)
    job = lease.job
    page = owner_client.get(reverse("customers:import_detail", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")
    html = " ".join(page.content.decode().split())
    assert 'Imported</span><span class="stat-value">2</span>' in html
    assert 'Duplicates folded</span><span class="stat-value">1</span>' in html


def test_the_import_page_says_which_line_won_in_the_readers_language(
    owner_client: Client, org: Organization, tmp_path: Path
) -> None:
    # Given customers imported with C1 on lines 2 and 4
    path = write_csv(tmp_path / "clients.csv", CUSTOMERS)
    lease = start_import_job(org, "customers", path, original_name="clients.csv")
    run_import_job(lease)
    # When a French reader opens the import's page
    page = owner_client.get(
        reverse("customers:import_detail", args=[lease.job.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    )
    # Then it names the lines of C1 and the one that won
    html = " ".join(page.content.decode().split())
    assert "C1 (2, 4) ; la dernière ligne l’emporte." in html
