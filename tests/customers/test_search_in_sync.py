"""The search index follows every write of customers: saved by the ORM, imported from a file (new rows,
changed rows, some columns only), written by the API, changed in bulk, deleted."""

import json
from pathlib import Path

import pytest
from django.test import Client

from ecoute.accounts.models import ApiKey, Organization
from ecoute.customers.models import Customer
from ecoute.customers.queries import refresh_purchase_stats
from tests.customers.importing import run_import, write_csv
from tests.customers.search import either_way, found
from tests.factories import CustomerFactory, TransactionFactory

__all__ = ["either_way"]

pytestmark = pytest.mark.usefixtures("either_way")


def test_a_customer_saved_changed_and_deleted_through_the_orm(org: Organization) -> None:
    # Given a customer created with the ORM
    customer = CustomerFactory.create(organization=org, external_id="A", first_name="Chloé", last_name="Roux")
    assert found(org, "chloe roux") == ["A"]
    # When their name and city change and they are saved
    customer.first_name, customer.last_name, customer.city = "Zoé", "N’Diaye", "Brest"
    customer.save()
    # Then the new words find them and the old ones do not
    assert found(org, "zoe ndiaye brest") == ["A"]
    assert found(org, "chloe") == []
    assert found(org, "roux") == []
    # When they are deleted
    customer.delete()
    # Then nothing finds them
    assert found(org, "zoe") == []


def test_customers_deleted_in_bulk_are_no_longer_found(org: Organization) -> None:
    CustomerFactory.create_batch(3, organization=org, first_name="Anaïs")
    kept = CustomerFactory.create(organization=org, first_name="Anaïs", external_id="KEPT")
    Customer.objects.filter(organization=org).exclude(pk=kept.pk).delete()
    assert found(org, "anais") == ["KEPT"]


def test_imported_customers_are_found_and_a_reimport_updates_what_finds_them(
    tmp_path: Path, org: Organization
) -> None:
    # Given customers imported from a CRM file
    header = "N° client;Nom;Prénom;Téléphone;Ville\n"
    first = header + "A;Lefèvre;Hélène;06 12 34 56 78;Nantes\nB;Roux;Léa;;Lyon\n"
    run_import("customers", str(write_csv(tmp_path / "a.csv", first)), "--org", org.slug)
    assert found(org, "helene lefevre") == ["A"]
    assert found(org, "0612345678") == ["A"]
    assert found(org, "lyon") == ["B"]
    # When a later file changes a name, a phone and a city
    second = header + "A;Lefèvre;Hélène;07 00 00 00 01;Rennes\nB;Roux;Loïc;;Lyon\n"
    run_import("customers", str(write_csv(tmp_path / "b.csv", second)), "--org", org.slug)
    # Then the new values find them, the old ones no longer
    assert found(org, "07 00 00 00 01") == ["A"]
    assert found(org, "06 12 34 56 78") == []
    assert found(org, "rennes") == ["A"]
    assert found(org, "nantes") == []
    assert found(org, "loic roux") == ["B"]
    assert found(org, "lea") == []


def test_an_import_of_some_columns_keeps_the_others_searchable(tmp_path: Path, org: Organization) -> None:
    # Given a customer imported with their name
    run_import(
        "customers", str(write_csv(tmp_path / "a.csv", "N° client;Nom\nA;Durand\n")), "--org", org.slug
    )
    # When a later file gives only their e-mail
    text = "N° client;E-mail\nA;zoe.durand@exemple.fr\n"
    run_import("customers", str(write_csv(tmp_path / "b.csv", text)), "--org", org.slug)
    # Then both the name and the e-mail find them
    assert found(org, "durand") == ["A"]
    assert found(org, "zoe.durand@") == ["A"]


def test_customers_written_by_the_api_are_found(org: Organization) -> None:
    _key, secret = ApiKey.issue(org, "CRM")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def upsert(records: list[dict[str, str]]) -> None:
        answer = api.post("/api/v1/customers/bulk", json.dumps(records), content_type="application/json")
        assert answer.status_code == 200, answer.content

    # Given customers created through the API
    upsert([{"external_id": "X1", "first_name": "Inès", "last_name": "Moreau", "company": "Atelier Inès"}])
    assert found(org, "ines moreau") == ["X1"]
    assert found(org, "atelier") == ["X1"]
    # When the API changes their company and phone
    upsert([{"external_id": "X1", "company": "Studio Lumière", "phone": "06 98 76 54 32"}])
    # Then the new values find them, the old company no longer, and the name still does
    assert found(org, "studio lumiere") == ["X1"]
    assert found(org, "atelier") == []
    assert found(org, "+33 6 98 76 54 32") == ["X1"]
    assert found(org, "moreau ines") == ["X1"]


def test_figures_updated_over_every_customer_leave_the_search_as_it_was(org: Organization) -> None:
    # Given customers with purchases
    customer = CustomerFactory.create(organization=org, external_id="A", first_name="Loïc")
    TransactionFactory.create(customer=customer)
    # When the purchase figures of the whole organization are recomputed (one UPDATE of every row)
    refresh_purchase_stats(org.pk)
    # Then the search finds the same customers
    assert found(org, "loic") == ["A"]
