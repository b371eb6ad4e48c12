"""Files with too many columns are refused with the limit; up to it, the mapping page stays light."""

from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer, ImportJob
from ecoute.lib.table_limits import MAX_COLUMNS
from tests.customers.importing import failing_import, write_csv


def _wide_csv(columns: int) -> str:
    header = ";".join(["N° client", *(f"Champ {n}" for n in range(1, columns))])
    row = ";".join(["C1", *(f"v{n}" for n in range(1, columns))])
    return f"{header}\n{row}\n"


def _upload(client: Client, content: bytes, language: str = "en") -> ImportJob:
    response = client.post(
        reverse("customers:import_new"),
        {"kind": "customers", "file": SimpleUploadedFile("clients.csv", content)},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 302
    return ImportJob.objects.latest("id")


def test_a_file_of_twenty_thousand_columns_is_refused_at_upload_with_the_limit_in_french(
    owner_client: Client,
) -> None:
    # Given an export of 20,000 columns (its mapping page took 33 s and weighed 17 MB)
    job = _upload(owner_client, _wide_csv(20_000).encode(), language="fr")

    # Then the import is failed at once, saying how many columns and the limit
    assert job.status == "failed"
    assert job.message.startswith("Le fichier a 20\xa0000 colonnes\u00a0: on peut en importer 500 au plus.")
    mapping = owner_client.get(reverse("customers:import_mapping", args=[job.pk]))
    assert mapping.status_code == 302  # to the failed import's page, not a mapping form


def test_the_import_command_refuses_a_file_of_too_many_columns_with_the_limit(
    tmp_path: Path, org: Organization
) -> None:
    path = write_csv(tmp_path / "clients.csv", _wide_csv(MAX_COLUMNS + 1))
    message, _problems = failing_import("customers", str(path), "--org", org.slug, "--language", "en")
    assert message.startswith("The file has 501 columns: at most 500 can be imported.")


def test_a_file_at_the_column_limit_is_mapped_on_a_light_page_and_imported(
    owner_client: Client, org: Organization, django_capture_on_commit_callbacks: object
) -> None:
    # Given an export of exactly as many columns as the limit
    job = _upload(owner_client, _wide_csv(MAX_COLUMNS).encode())

    # When its mapping page is shown
    url = reverse("customers:import_mapping", args=[job.pk])
    page = owner_client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    compressed = owner_client.get(url, HTTP_ACCEPT_LANGUAGE="en", HTTP_ACCEPT_ENCODING="gzip")

    # Then every column has its select, written in under 1 KB, and the page travels compressed
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('<select name="column_') == MAX_COLUMNS
    assert '<option value="external_id" selected>CRM id *<option' in html
    assert len(page.content) < MAX_COLUMNS * 1000
    assert compressed["Content-Encoding"] == "gzip"
    assert len(compressed.content) < len(page.content) / 8

    # And posting every column's choice stays within the fields a request may send
    data = {f"column_{n}": "attributes" for n in range(MAX_COLUMNS)} | {
        "column_0": "external_id",
        "import": "1",
    }
    assert len(data) + 2 < settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = owner_client.post(reverse("customers:import_mapping", args=[job.pk]), data)
    assert response.status_code == 302
    customer = Customer.objects.get(organization=org, external_id="C1")
    assert customer.attributes["Champ 499"] == "v499"


def test_a_form_sent_with_more_fields_than_allowed_answers_a_page_saying_so_in_french(
    owner_client: Client,
) -> None:
    # Given a mapping form sent with more fields than any page accepts
    job = _upload(owner_client, _wide_csv(3).encode())
    data = {f"column_{n}": "" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}

    # When it is posted
    response = owner_client.post(
        reverse("customers:import_mapping", args=[job.pk]), data, HTTP_ACCEPT_LANGUAGE="fr"
    )

    # Then the answer is 400 with the product's page, in French, naming the limit (not a blank page)
    html = response.content.decode()
    assert response.status_code == 400
    assert '<html lang="fr">' in html
    assert "Le formulaire envoie plus de 1\xa0000 champs" in html


def test_the_preview_kept_for_the_mapping_page_stays_small_whatever_the_first_lines_hold(
    owner_client: Client,
) -> None:
    # Given a file whose header and first line hold a 100,000-character value, the line 100,000 empty fields
    header = "N° client;" + "N" * 100_000
    line = "C1;" + "v" * 100_000 + ";" * 100_000
    job = _upload(owner_client, f"{header}\n{line}\n".encode())

    # Then what the import keeps for its mapping page is a few hundred characters
    assert job.status == "draft"
    assert [len(header) for header in job.headers] == [9, 200]
    assert [len(value) for value in job.preview[0]] == [2, 200]
