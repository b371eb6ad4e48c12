"""A column set to ignore, or left ignored, is written nowhere: not as a CRM field of a customer, not
into the field it would feed on a rerun. A file of another kind than the one chosen is said so first."""

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import Organization
from ecoute.customers.importing.kind_guess import looks_like
from ecoute.customers.models import Consent, Customer, ImportJob, Interaction, LoyaltyAct, Transaction
from tests.customers.importing import failing_import, run_import, write_csv
from tests.factories import CustomerFactory

SALES = (
    "N° ticket;N° client;Date;Montant TTC;Magasin\n"
    "T1;C1;02/03/2024;49,90;Lyon\nT2;C9;03/03/2024;12,00;Nantes\n"
)


def _upload(client: Client, kind: str, content: str) -> ImportJob:
    response = client.post(
        reverse("customers:import_new"),
        {"kind": kind, "file": SimpleUploadedFile("export.csv", content.encode())},
    )
    assert response.status_code == 302, response.content
    return ImportJob.objects.latest("id")


def _known_customer(org: Organization) -> Customer:
    return CustomerFactory.create(
        organization=org,
        external_id="C1",
        last_name="Durand",
        first_name="Léa",
        attributes={"Fidélité": "or"},
    )


def _as_shown(page_form: object, count: int) -> dict[str, str]:
    """The choice of each column as the mapping page shows it, posted unchanged."""
    return {f"column_{i}": page_form[f"column_{i}"].initial or "" for i in range(count)}  # type: ignore[index]


def test_a_sales_file_chosen_as_customers_is_flagged_and_its_ignored_columns_written_nowhere(
    owner_client: Client, org: Organization, django_capture_on_commit_callbacks: object
) -> None:
    # Given a customer known with her CRM fields, and a till export uploaded as "customers"
    lea = _known_customer(org)
    job = _upload(owner_client, "customers", SALES)

    # When the mapping page is shown
    page = owner_client.get(reverse("customers:import_mapping", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")

    # Then it says the file looks like sales, offering to import it as transactions
    html = page.content.decode()
    assert "This file looks like sales: import it as transactions?" in html
    assert reverse("customers:import_switch_kind", args=[job.pk]) in html
    # And the sales columns are shown ignored, only the customer's number feeding a field
    shown = _as_shown(page.context["form"], 5)
    assert shown == {
        "column_0": "",
        "column_1": "external_id",
        "column_2": "",
        "column_3": "",
        "column_4": "",
    }

    # When the manager imports it anyway, as shown
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        owner_client.post(reverse("customers:import_mapping", args=[job.pk]), {**shown, "import": "1"})

    # Then nothing of the ignored columns is written, into any customer
    lea.refresh_from_db()
    assert (lea.last_name, lea.first_name, lea.attributes) == ("Durand", "Léa", {"Fidélité": "or"})
    for customer in Customer.objects.filter(organization=org):
        assert not {"N° ticket", "Montant TTC", "Magasin", "Date"} & set(customer.attributes)


def test_switching_to_the_kind_the_file_looks_like_keeps_the_upload(
    owner_client: Client, org: Organization
) -> None:
    # Given the sales file uploaded as customers
    job = _upload(owner_client, "customers", SALES)

    # When the manager takes the suggestion
    response = owner_client.post(
        reverse("customers:import_switch_kind", args=[job.pk]), {"kind": "transactions"}
    )

    # Then the same upload is mapped as sales, every column recognised
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.kind, job.original_name) == ("transactions", "export.csv")
    page = owner_client.get(reverse("customers:import_mapping", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "looks like" not in page.content.decode()
    assert list(_as_shown(page.context["form"], 5).values()) == [
        "external_id",
        "customer",
        "occurred_at",
        "amount",
        "store",
    ]
    # And an unknown kind is refused with a 400
    refused = owner_client.post(reverse("customers:import_switch_kind", args=[job.pk]), {"kind": "robots"})
    assert refused.status_code == 400


def test_a_customers_file_is_not_flagged_and_its_extra_columns_are_kept_as_crm_fields(
    owner_client: Client, org: Organization
) -> None:
    content = "Code client;Nom;Prénom;Commentaire;Total achats\nC1;Durand;Léa;fidèle;120\n"
    job = _upload(owner_client, "customers", content)
    page = owner_client.get(reverse("customers:import_mapping", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "looks like" not in page.content.decode()
    assert _as_shown(page.context["form"], 5)["column_3"] == "attributes"
    assert "an ignored column is written nowhere" in page.content.decode()


def test_the_command_refuses_a_file_of_another_kind_then_ignores_its_columns_when_told_to_keep_it(
    tmp_path: Path, org: Organization
) -> None:
    # Given a customer known with her CRM fields, and a till export given as customers
    lea = _known_customer(org)
    path = write_csv(tmp_path / "ventes.csv", SALES)

    # When it is imported as customers, then again keeping that kind
    message, _problems = failing_import("customers", str(path), "--org", org.slug, "--language", "en")
    out, _err = run_import("customers", str(path), "--org", org.slug, "--language", "en", "--keep-kind")

    # Then the first run refuses before writing anything, naming the kind the file looks like
    assert message.startswith("This file looks like sales: import it as transactions? Run: ecoute import")
    assert "--keep-kind" in message
    # And the second says the sales columns are ignored, and writes them nowhere
    assert "Columns ignored: N° ticket, Date, Montant TTC, Magasin." in out
    lea.refresh_from_db()
    assert lea.attributes == {"Fidélité": "or"}
    assert not Customer.objects.filter(attributes__has_key="Magasin").exists()


def test_a_column_ignored_on_the_command_line_is_not_kept_and_one_named_a_crm_field_is(
    tmp_path: Path, org: Organization
) -> None:
    path = write_csv(
        tmp_path / "clients.csv", "Code client;Nom;Civilité;Note interne\nC1;Durand;Mme;à rappeler\n"
    )
    out, _err = run_import(
        "customers", str(path), "--org", org.slug, "--language", "en", "--map", "Note interne="
    )
    assert "Column kept as a CRM field: Civilité." in out
    assert "Column ignored: Note interne." in out
    assert Customer.objects.get(organization=org, external_id="C1").attributes == {"Civilité": "Mme"}


def _seed(org: Organization) -> Customer:
    customer = CustomerFactory.create(organization=org, external_id="C1", city="Lyon")
    at = datetime(2024, 3, 2, 10, tzinfo=UTC)
    Transaction.objects.create(
        organization=org, customer=customer, external_id="T1", occurred_at=at, amount=10, store="Lyon"
    )
    Interaction.objects.create(
        organization=org, customer=customer, external_id="I1", kind="call", occurred_at=at, subject="Retard"
    )
    LoyaltyAct.objects.create(
        organization=org, customer=customer, external_id="A1", kind="review", occurred_at=at, text="Bravo"
    )
    return customer


# Per kind: a file whose recognised column the user ignores, and where what that column feeds is read.
IGNORED: dict[str, tuple[str, str, Callable[[Organization], object], str]] = {
    "customers": ("Code client;Ville\nC1;Paris\n", "Ville=", lambda org: Customer.objects.get().city, "Lyon"),
    "transactions": (
        "N° commande;Code client;Date;Montant;Magasin\nT1;C1;02/03/2024;10,00;Paris\n",
        "Magasin=",
        lambda org: Transaction.objects.get().store,
        "Lyon",
    ),
    "interactions": (
        "N° ticket;Code client;Type;Date;Objet\nI1;C1;appel;02/03/2024;Colis perdu\n",
        "Objet=",
        lambda org: Interaction.objects.get().subject,
        "Retard",
    ),
    "loyalty-acts": (
        "Référence;Code client;Type;Date;Texte\nA1;C1;avis;02/03/2024;Nul\n",
        "Texte=",
        lambda org: LoyaltyAct.objects.get().text,
        "Bravo",
    ),
    "consents": (
        "Code client;Canal;Finalité;Consentement;Date;Origine\nC1;email;enquetes;oui;02/03/2024;salon\n",
        "Origine=",
        lambda org: Consent.objects.get().source,
        "",
    ),
}


@pytest.mark.parametrize("kind", IGNORED)
def test_a_recognised_column_set_to_ignore_leaves_what_it_would_feed_as_it_was(
    kind: str, tmp_path: Path, org: Organization
) -> None:
    # Given rows already stored, and a file of the same rows whose one column the user ignores
    _seed(org)
    content, ignore, stored, before = IGNORED[kind]
    path = write_csv(tmp_path / "export.csv", content)

    # When it is imported
    run_import(kind, str(path), "--org", org.slug, "--map", ignore)

    # Then what that column would feed is as it was, and no CRM field holds it
    assert stored(org) == before
    assert all(not customer.attributes for customer in Customer.objects.all())


@pytest.mark.parametrize(
    ("headers", "rows", "chosen", "expected"),
    [
        # a till export with one bad amount among its first rows is still sales
        (
            ["N° ticket", "N° client", "Date", "Montant TTC"],
            [["T1", "C1", "02/03/2024", "49,90"], ["T2", "C1", "03/03/2024", "douze"]],
            "customers",
            "transactions",
        ),
        # contacts chosen as acts of loyalty: their kinds are kinds of contact, not of loyalty
        (
            ["N° ticket", "Code client", "Type", "Date", "Objet"],
            [["I1", "C1", "appel", "02/03/2024", "Retard"], ["I2", "C1", "sav", "03/03/2024", "Colis"]],
            "loyalty-acts",
            "interactions",
        ),
        # a CRM export with a comment and a total of purchases is a list of customers
        (
            ["Code client", "Nom", "Prénom", "Commentaire", "Total achats"],
            [["C1", "Durand", "Léa", "fidèle", "120"]],
            "customers",
            None,
        ),
    ],
    ids=["sales", "contacts", "crm"],
)
def test_the_kind_a_file_looks_like_is_told_from_its_column_names_and_first_values(
    headers: list[str], rows: list[list[str]], chosen: str, expected: str | None
) -> None:
    guess = looks_like(headers, rows, chosen)
    assert (guess.kind if guess else None) == expected
