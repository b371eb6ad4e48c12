"""After a dry run that found bad rows, its page imports the valid rows from the same upload and gives the
rejected rows to download, in the organization's language."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import Organization
from ecoute.customers.models import ImportJob, Transaction
from tests.conftest import member_client
from tests.factories import CustomerFactory, MembershipFactory

SALES = (
    "N° commande;N° client;Date;Montant\n"
    "V1;C1;01/02/2024;10,00\nV2;C1;01/02/2024;dix\nV3;C1;02/02/2024;=1+2\n"
)
MAPPING = {"column_0": "external_id", "column_1": "customer", "column_2": "occurred_at", "column_3": "amount"}


def _dry_run(client: Client, capture: object) -> ImportJob:
    response = client.post(
        reverse("customers:import_new"),
        {"kind": "transactions", "file": SimpleUploadedFile("ventes.csv", SALES.encode())},
    )
    assert response.status_code == 302
    job = ImportJob.objects.latest("id")
    with capture(execute=True):  # type: ignore[operator]
        client.post(reverse("customers:import_mapping", args=[job.pk]), {**MAPPING, "dry_run": "1"})
    job.refresh_from_db()
    return job


def test_the_valid_rows_of_a_checked_file_are_imported_from_its_page_without_uploading_it_again(
    owner_client: Client, org: Organization, django_capture_on_commit_callbacks: object
) -> None:
    # Given a dry run of a file with one good sale and two bad ones
    CustomerFactory.create(organization=org, external_id="C1")
    job = _dry_run(owner_client, django_capture_on_commit_callbacks)
    assert (job.status, job.rows_rejected, Transaction.objects.count()) == ("failed", 2, 0)

    # When its page is shown
    page = owner_client.get(reverse("customers:import_detail", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")

    # Then it offers to import the valid rows and to download the rejected ones
    html = page.content.decode()
    assert reverse("customers:import_valid_rows", args=[job.pk]) in html
    assert "Import the valid rows" in html
    assert reverse("customers:import_rejects", args=[job.pk]) in html

    # And the rejects file is in the organization's language (French), formula-safe, named after the file
    rejects = owner_client.get(reverse("customers:import_rejects", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert 'filename="ventes-rejets.csv"' in rejects["Content-Disposition"]
    text = b"".join(rejects.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    header, dix, formula = text.splitlines()
    assert header == "N° commande;N° client;Date;Montant;motif"
    assert dix.startswith("V2;C1;01/02/2024;dix;")
    assert formula.startswith("V3;C1;02/02/2024;'=1+2;")

    # When the manager imports the valid rows
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = owner_client.post(reverse("customers:import_valid_rows", args=[job.pk]))

    # Then the same import runs again keeping the valid rows, and no new import is made
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.dry_run, job.rows_written, job.rows_rejected) == ("succeeded", False, 1, 2)
    assert ImportJob.objects.count() == 1
    assert list(Transaction.objects.values_list("external_id", flat=True)) == ["V1"]
    # And a second click does not run it again
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # type: ignore[operator]
        owner_client.post(reverse("customers:import_valid_rows", args=[job.pk]))
    assert callbacks == []


def test_importing_the_valid_rows_is_a_post_of_the_organization_of_the_import(
    owner_client: Client,
    org: Organization,
    other_org: Organization,
    django_capture_on_commit_callbacks: object,
) -> None:
    CustomerFactory.create(organization=org, external_id="C1")
    job = _dry_run(owner_client, django_capture_on_commit_callbacks)
    url = reverse("customers:import_valid_rows", args=[job.pk])
    assert owner_client.get(url).status_code == 405
    stranger = member_client(MembershipFactory.create(organization=other_org, role="owner"))
    assert stranger.post(url).status_code == 404
    job.refresh_from_db()
    assert job.status == "failed"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_dry_run_without_any_valid_row_offers_no_import_of_valid_rows(
    owner_client: Client, org: Organization, django_capture_on_commit_callbacks: object, language: str
) -> None:
    # Given a file whose every sale names an unknown customer
    job = _dry_run(owner_client, django_capture_on_commit_callbacks)
    page = owner_client.get(reverse("customers:import_detail", args=[job.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert job.rows_rejected == job.rows_total == 3
    assert reverse("customers:import_valid_rows", args=[job.pk]) not in page.content.decode()


@pytest.mark.parametrize("change", ["deleted", "rewritten"])
def test_the_valid_rows_are_not_imported_from_a_file_that_changed_since_its_dry_run(
    owner_client: Client, org: Organization, django_capture_on_commit_callbacks: object, change: str
) -> None:
    # Given a dry run of a file with one good sale and two bad ones
    CustomerFactory.create(organization=org, external_id="C1")
    job = _dry_run(owner_client, django_capture_on_commit_callbacks)
    # and its kept file deleted or rewritten since (other sales, all of them valid)
    stored = Path(job.stored_path)
    if change == "deleted":
        stored.unlink()
    else:
        stored.write_bytes(b"N\xb0 commande;N\xb0 client;Date;Montant\nX1;C1;01/03/2024;99,00\n")

    # When the manager asks to import the valid rows
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = owner_client.post(reverse("customers:import_valid_rows", args=[job.pk]))
    page = owner_client.get(reverse("customers:import_detail", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")

    # Then nothing is imported, and the page says, in the organization's language, to upload it again
    assert response.status_code in (302, 409)
    assert Transaction.objects.count() == 0
    job.refresh_from_db()
    assert (job.status, job.rows_written) == ("failed", 0)
    assert "déposez-le à nouveau" in page.content.decode().lower()


def test_an_import_refused_for_its_bad_rows_offers_to_import_the_valid_ones_and_the_rejects(
    owner_client: Client, org: Organization, django_capture_on_commit_callbacks: object
) -> None:
    # Given a file with one good sale and two bad ones, imported for real (no dry run first)
    CustomerFactory.create(organization=org, external_id="C1")
    owner_client.post(
        reverse("customers:import_new"),
        {"kind": "transactions", "file": SimpleUploadedFile("ventes.csv", SALES.encode())},
    )
    job = ImportJob.objects.latest("id")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        owner_client.post(reverse("customers:import_mapping", args=[job.pk]), MAPPING)
    job.refresh_from_db()
    assert (job.status, job.dry_run, Transaction.objects.count()) == ("failed", False, 0)

    # When its page is shown
    page = owner_client.get(reverse("customers:import_detail", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")

    # Then, as after a dry run, it offers to import the valid rows and to download the rejected ones
    html = page.content.decode()
    assert reverse("customers:import_valid_rows", args=[job.pk]) in html
    assert reverse("customers:import_rejects", args=[job.pk]) in html
    # And importing them writes the good sale only, in the same import
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        owner_client.post(reverse("customers:import_valid_rows", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.rows_written, job.rows_rejected) == ("succeeded", 1, 2)
    assert list(Transaction.objects.values_list("external_id", flat=True)) == ["V1"]
