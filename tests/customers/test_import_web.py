"""Importing from the web page: upload, check the guessed columns, change them, dry run, import, follow."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ecoute.accounts.models import Organization, Role
from ecoute.customers.models import Customer, ImportJob, Transaction
from tests.conftest import member_client
from tests.factories import CustomerFactory, MembershipFactory

CUSTOMERS = "Réf;Nom;Prénom;Courriel\nC1;Durand;Léa;lea@exemple.fr\nC2;Petit;Marc;marc@exemple.fr\n".encode(
    "cp1252"
)


def _upload(client: Client, kind: str, name: str, content: bytes) -> ImportJob:
    response = client.post(
        reverse("customers:import_new"), {"kind": kind, "file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 302, response.content
    return ImportJob.objects.latest("id")


def test_the_mapping_page_previews_the_first_rows_with_the_guessed_columns(owner_client: Client) -> None:
    job = _upload(owner_client, "customers", "clients.csv", CUSTOMERS)
    page = owner_client.get(reverse("customers:import_mapping", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert "lea@exemple.fr" in html
    form = page.context["form"]
    # "Nom", "Prénom" and "Courriel" are recognised; "Réf" is not a known name: kept as a CRM field
    assert [form[f"column_{i}"].initial for i in range(4)] == [
        "attributes",
        "last_name",
        "first_name",
        "email",
    ]
    assert page.context["missing"] == "CRM id"


def test_changing_the_mapping_then_importing_runs_the_import_in_the_background(
    owner_client: Client, org: Organization, django_capture_on_commit_callbacks: object
) -> None:
    job = _upload(owner_client, "customers", "clients.csv", CUSTOMERS)
    data = {
        "column_0": "external_id",
        "column_1": "last_name",
        "column_2": "first_name",
        "column_3": "email",
        "import": "1",
    }
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = owner_client.post(reverse("customers:import_mapping", args=[job.pk]), data)
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.rows_written) == ("succeeded", 2)
    assert Customer.objects.get(organization=org, external_id="C1").first_name == "Léa"
    detail = owner_client.get(reverse("customers:import_detail", args=[job.pk]))
    assert detail.status_code == 200
    # The imports page lists it
    assert "clients.csv" in owner_client.get(reverse("customers:import_list")).content.decode()


def test_a_dry_run_lists_the_problems_then_the_valid_rows_can_be_imported_with_rejects_to_download(
    owner_client: Client, org: Organization, django_capture_on_commit_callbacks: object
) -> None:
    CustomerFactory.create(organization=org, external_id="C1")
    content = "N° commande;N° client;Date;Montant\nV1;C1;01/02/2024;10,00\nV2;C1;01/02/2024;dix\n".encode()
    job = _upload(owner_client, "transactions", "ventes.csv", content)
    mapping = {
        "column_0": "external_id",
        "column_1": "customer",
        "column_2": "occurred_at",
        "column_3": "amount",
    }
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        owner_client.post(reverse("customers:import_mapping", args=[job.pk]), {**mapping, "dry_run": "1"})
    job.refresh_from_db()
    assert job.status == "failed"  # a problem, and nothing written
    page = owner_client.get(reverse("customers:import_detail", args=[job.pk]))
    assert "dix" in page.content.decode()
    assert Transaction.objects.count() == 0
    # Upload again, keep the valid rows
    job = _upload(owner_client, "transactions", "ventes.csv", content)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        owner_client.post(
            reverse("customers:import_mapping", args=[job.pk]),
            {**mapping, "skip_invalid": "on", "import": "1"},
        )
    job.refresh_from_db()
    assert (job.status, job.rows_written, job.rows_rejected) == ("succeeded", 1, 1)
    # The rejects file follows the organization's language (French), whatever the reader's, name included
    rejects = owner_client.get(reverse("customers:import_rejects", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert rejects.status_code == 200
    assert 'filename="ventes-rejets.csv"' in rejects["Content-Disposition"]
    header, rejected = b"".join(rejects.streaming_content).decode("utf-8-sig").splitlines()  # type: ignore[attr-defined]
    assert header == "N° commande;N° client;Date;Montant;motif"
    assert rejected.startswith("V2;C1;01/02/2024;dix;")
    assert rejected.endswith(";ce n’est pas un nombre")


def test_the_progress_fragment_is_served_to_htmx_while_an_import_runs(
    owner_client: Client, org: Organization
) -> None:
    job = ImportJob.objects.create(
        organization=org,
        kind="customers",
        original_name="gros.csv",
        status="writing",
        rows_total=1000,
        rows_done=400,
        lease_expires_at=timezone.now() + timedelta(minutes=1),
    )
    response = owner_client.get(reverse("customers:import_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert '<progress max="100" value="40"' in html
    assert 'hx-trigger="every 1s"' in html
    assert "<html" not in html


def test_a_file_that_is_not_a_table_is_refused_with_a_message(owner_client: Client) -> None:
    job = _upload(owner_client, "customers", "photo.csv", b"\x89PNG\r\n\x1a\n binary")
    page = owner_client.get(reverse("customers:import_mapping", args=[job.pk]), follow=True)
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.message
    assert page.status_code == 200


def test_an_upload_over_the_size_limit_answers_413(owner_client: Client, settings: object) -> None:
    settings.IMPORT_MAX_FILE_SIZE = 10  # type: ignore[attr-defined]
    response = owner_client.post(
        reverse("customers:import_new"),
        {"kind": "customers", "file": SimpleUploadedFile("big.csv", b"x" * 200_000)},
    )
    assert response.status_code == 413


@pytest.mark.parametrize("role", [Role.AGENT, Role.VIEWER])
def test_agents_and_viewers_cannot_import(org: Organization, role: str) -> None:
    client = member_client(MembershipFactory.create(organization=org, role=role))
    assert client.get(reverse("customers:import_new")).status_code == 403


def test_a_file_with_blank_and_repeated_headers_is_mapped_by_column(
    owner_client: Client, org: Organization, django_capture_on_commit_callbacks: object
) -> None:
    # Given an export whose third column has no name and whose two phone columns share one
    content = "Code client;Tél;;Tél\nC1;0102030405;x;0607080910\n".encode()
    job = _upload(owner_client, "customers", "clients.csv", content)
    data = {"column_0": "external_id", "column_1": "", "column_2": "", "column_3": "phone", "import": "1"}
    # When the manager keeps the second phone column only
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        owner_client.post(reverse("customers:import_mapping", args=[job.pk]), data)
    # Then the import runs with that choice
    assert Customer.objects.get(organization=org, external_id="C1").phone == "0607080910"


def test_a_second_submit_of_the_mapping_does_not_run_the_import_twice(
    owner_client: Client, org: Organization, django_capture_on_commit_callbacks: object
) -> None:
    job = _upload(owner_client, "customers", "clients.csv", CUSTOMERS)
    data = {
        "column_0": "external_id",
        "column_1": "last_name",
        "column_2": "first_name",
        "column_3": "email",
        "import": "1",
    }
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # type: ignore[operator]
        owner_client.post(reverse("customers:import_mapping", args=[job.pk]), data)
        owner_client.post(reverse("customers:import_mapping", args=[job.pk]), data)
    assert len(callbacks) == 1


def test_an_unexpected_failure_marks_the_job_failed_instead_of_leaving_it_running(
    owner_client: Client,
    org: Organization,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: object,
) -> None:
    from ecoute.customers import actions

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(actions, "run_import", broken)
    job = _upload(owner_client, "customers", "clients.csv", CUSTOMERS)
    data = {"column_0": "external_id", "column_1": "last_name", "import": "1"}
    # (the task backend records the task's failure; the job must say it too)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        owner_client.post(reverse("customers:import_mapping", args=[job.pk]), data)
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.message


def test_a_body_over_the_upload_limit_is_refused_before_it_is_read(client: Client, settings: object) -> None:
    # Given anyone, logged in or not, announcing a body larger than any page accepts
    settings.IMPORT_MAX_FILE_SIZE = 1000  # type: ignore[attr-defined]
    response = client.generic(
        "POST",
        reverse("customers:import_new"),
        b"x" * 2_000_000,
        content_type="multipart/form-data; boundary=x",
    )
    # Then the answer is 413 and no view or CSRF check read it
    assert response.status_code == 413
