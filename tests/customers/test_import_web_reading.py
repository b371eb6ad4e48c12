"""The upload page takes how to read the file (encoding, sheet, header line), and the pages say how it was
read."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ecoute.customers.models import ImportJob
from tests.lib.spreadsheet_files import write_xlsx

# A lone euro sign: Windows-1252 or CP850, the file cannot tell.
AMOUNTS = "Code client;Nom;CA\r\nC1;Martin;12,50 €\r\n".encode("cp1252")


def _upload(client: Client, name: str, content: bytes, **choices: str) -> ImportJob:
    data = {"kind": "customers", "file": SimpleUploadedFile(name, content), **choices}
    response = client.post(reverse("customers:import_new"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302, response.content
    return ImportJob.objects.latest("id")


def test_a_file_whose_encoding_cannot_be_told_asks_for_it_and_is_read_in_the_one_chosen(
    owner_client: Client,
) -> None:
    # Given a file whose encoding the bytes do not tell
    # When it is uploaded without an encoding
    refused = _upload(owner_client, "montants.csv", AMOUNTS)

    # Then the import is refused, asking for the encoding
    assert refused.status == "failed"
    assert "encoding choice" in refused.message

    # When it is uploaded again with Windows-1252 chosen
    job = _upload(owner_client, "montants.csv", AMOUNTS, encoding="cp1252")

    # Then the preview holds the euro sign and the page says the encoding given
    assert job.status == "draft"
    assert job.preview == [["C1", "Martin", "12,50 €"]]
    page = owner_client.get(reverse("customers:import_mapping", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Read in the encoding given: Windows-1252" in page.content.decode()


def test_the_header_line_chosen_on_upload_is_used(owner_client: Client) -> None:
    # Given a report whose header, on line 3, has names no one knows
    content = b"Rapport;mensuel;2024\r\nPage;1\r\nid;nom\r\nC1;Martin\r\n"

    # When it is uploaded with the header on line 3
    job = _upload(owner_client, "rapport.csv", content, header_row="3")

    # Then those are the columns, and the page says where they were read
    assert job.headers == ["id", "nom"]
    page = owner_client.get(reverse("customers:import_mapping", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Column names read on line 3." in page.content.decode()


def test_an_unknown_encoding_name_is_refused_by_the_form(owner_client: Client) -> None:
    # Given an encoding that is not offered
    data = {"kind": "customers", "file": SimpleUploadedFile("a.csv", AMOUNTS), "encoding": "klingon"}

    # When it is posted
    response = owner_client.post(reverse("customers:import_new"), data)

    # Then the form says so
    assert response.status_code == 400
    assert not ImportJob.objects.exists()


def test_the_sheets_are_listed_and_the_one_chosen_is_read(owner_client: Client, tmp_path: Path) -> None:
    # Given a workbook with one sheet per year
    header = ["N° client", "Nom"]
    path = write_xlsx(
        tmp_path / "ventes.xlsx",
        [header, ["C3", "Petit"]],
        sheet="2024",
        before={"2023": [header, ["C1", "Martin"]]},
    )

    # When it is uploaded with the sheet 2024 chosen
    job = _upload(owner_client, "ventes.xlsx", path.read_bytes(), sheet="2024")

    # Then that sheet is previewed, and the page names it among the sheets of the workbook
    assert job.preview == [["C3", "Petit"]]
    page = owner_client.get(reverse("customers:import_mapping", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Sheet read: “2024” (the workbook has 2 sheets: “2023”, “2024”)." in page.content.decode()
