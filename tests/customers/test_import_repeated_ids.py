"""Ids that come on several lines of one file are reported with their lines, before and after importing,
with what the import does: the last line of each id wins."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer, ImportJob, Interaction, LoyaltyAct
from tests.customers.importing import run_import, write_csv
from tests.factories import CustomerFactory

CONTACTS = (
    "N° ticket;Code client;Type;Date;Objet\n"
    "I1;C1;appel;02/03/2024;Colis perdu\n"
    "I2;C1;appel;03/03/2024;Facture\n"
    "I1;C1;appel;04/03/2024;Colis retrouvé\n"
    "I2;C1;sav;05/03/2024;Facture refaite\n"
    "I1;C1;appel;06/03/2024;Colis livré\n"
)


def test_a_dry_run_and_the_import_name_each_repeated_id_with_its_lines_and_the_last_line_wins(
    tmp_path: Path, org: Organization
) -> None:
    # Given contacts whose ids I1 and I2 come on several lines
    CustomerFactory.create(organization=org, external_id="C1")
    path = write_csv(tmp_path / "contacts.csv", CONTACTS)

    # When the file is checked, then imported
    checked, _err = run_import("interactions", str(path), "--org", org.slug, "--language", "en", "--dry-run")
    imported, _err = run_import("interactions", str(path), "--org", org.slug, "--language", "en")

    # Then both say which ids repeat, on which lines, and that the last line of each wins
    sentence = "2 ids come on several lines: I1 (2, 4, 6), I2 (3, 5); the last line of each wins."
    assert sentence in checked
    assert sentence in imported
    # And it does
    assert dict(Interaction.objects.values_list("external_id", "subject")) == {
        "I1": "Colis livré",
        "I2": "Facture refaite",
    }


def test_the_page_of_a_dry_run_with_bad_rows_names_the_repeated_ids_in_french(
    owner_client: Client, org: Organization, django_capture_on_commit_callbacks: object
) -> None:
    # Given reviews whose id A1 comes twice, and a bad date elsewhere
    CustomerFactory.create(organization=org, external_id="C1")
    content = "Référence;Code client;Type;Date;Texte\nA1;C1;avis;02/03/2024;Bien\nA2;C1;avis;hier;x\n"
    content += "A1;C1;avis;04/03/2024;Très bien\n"
    owner_client.post(
        reverse("customers:import_new"),
        {"kind": "loyalty-acts", "file": SimpleUploadedFile("avis.csv", content.encode())},
    )
    job = ImportJob.objects.latest("id")
    mapping = {
        f"column_{i}": name
        for i, name in enumerate(["external_id", "customer", "kind", "occurred_at", "text"])
    }
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        owner_client.post(reverse("customers:import_mapping", args=[job.pk]), {**mapping, "dry_run": "1"})

    # When its page is read in French
    page = owner_client.get(reverse("customers:import_detail", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="fr")

    # Then the repeated id is named with its lines, and nothing was written
    assert "A1 (2, 4)" in page.content.decode()
    assert "la dernière ligne l’emporte" in page.content.decode()
    assert not LoyaltyAct.objects.exists()


def test_ids_that_differ_only_in_capitals_or_spaces_are_named_before_and_after_importing(
    tmp_path: Path, org: Organization
) -> None:
    # Given customers whose CRM ids differ only in capitals, one of them with spaces around it
    path = write_csv(
        tmp_path / "clients.csv",
        "Code client;Nom;Ville\nC1;Durand;Paris\n c1 ;Petit;Nantes\n"
        "AB-7;Roux;Lyon\nab-7;Roux;Lyon\nC2;Vidal;Albi\n",
    )

    # When the file is checked, then imported, in French
    checked, _err = run_import("customers", str(path), "--org", org.slug, "--language", "fr", "--dry-run")
    imported, _err = run_import("customers", str(path), "--org", org.slug, "--language", "fr")

    # Then both name the ids alike, and say they are kept apart as written
    sentence = (
        "2 identifiants ne diffèrent d’autres que par les majuscules\N{NO-BREAK SPACE}: C1 / c1, AB-7 / ab-7"
        "\N{NO-BREAK SPACE}; ils sont importés comme des fiches différentes."
    )
    assert sentence in checked
    assert sentence in imported
    # And the spaces around an id are not part of it
    assert sorted(Customer.objects.values_list("external_id", flat=True)) == [
        "AB-7",
        "C1",
        "C2",
        "ab-7",
        "c1",
    ]
