"""An import can be undone while nothing else changed what it wrote: its rows removed, the customers it
created removed, the rows it changed put back as they were; refused whole, saying why, otherwise."""

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from ecoute.accounts.models import Organization
from ecoute.customers.actions import run_import_job, start_import_job
from ecoute.customers.import_undo import UndoRefusedError, undo_import
from ecoute.customers.models import Consent, Customer, ImportJob, Interaction, Transaction
from tests.conftest import member_client
from tests.customers.importing import write_csv
from tests.factories import CustomerFactory, MembershipFactory

CUSTOMERS = "Code client;Nom;Ville;Fidélité\nC1;Durand;Paris;argent\nC2;Petit;Nantes;or\n"


def _import(org: Organization, kind: str, path: Path) -> ImportJob:
    lease = start_import_job(org, kind, path, original_name=path.name)
    run_import_job(lease)
    lease.job.refresh_from_db()
    assert lease.job.status == "succeeded", lease.job.errors
    return lease.job


def _undo(org: Organization, job: ImportJob) -> str:
    out = StringIO()
    call_command("undo_import", str(job.pk), "--org", org.slug, "--language", "en", stdout=out)
    return out.getvalue()


def test_undoing_a_customers_import_removes_those_it_created_and_puts_back_those_it_changed(
    tmp_path: Path, org: Organization
) -> None:
    # Given C1 known before, then a file that changes C1 and creates C2
    CustomerFactory.create(
        organization=org, external_id="C1", last_name="Martin", city="Lyon", attributes={"Fidélité": "or"}
    )
    job = _import(org, "customers", write_csv(tmp_path / "clients.csv", CUSTOMERS))
    assert Customer.objects.get(external_id="C1").city == "Paris"

    # When the import is undone from the command line
    out = _undo(org, job)

    # Then C2 is gone and C1 is as it was, CRM fields and name searched included
    assert out.strip() == f"Import #{job.pk} undone: 1 row removed, 1 row put back as it was."
    c1 = Customer.objects.get()
    assert (c1.external_id, c1.last_name, c1.city, c1.attributes) == (
        "C1",
        "Martin",
        "Lyon",
        {"Fidélité": "or"},
    )
    assert c1.search_name.startswith("martin")
    job.refresh_from_db()
    assert job.status == "undone"
    assert job.undone_at is not None
    # And it cannot be undone twice
    with pytest.raises(CommandError, match="was undone already"):
        _undo(org, job)


def test_undoing_a_sales_import_removes_its_sales_and_puts_back_the_one_it_changed(
    tmp_path: Path, org: Organization
) -> None:
    # Given a sale T1 stored before, then a file that changes T1 and adds T2
    customer = CustomerFactory.create(organization=org, external_id="C1")
    at = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
    Transaction.objects.create(
        organization=org,
        customer=customer,
        external_id="T1",
        occurred_at=at,
        amount=Decimal("12.50"),
        store="Lyon",
    )
    content = (
        "N° commande;Code client;Date;Montant;Magasin\n"
        "T1;C1;02/03/2024;99,90;Paris\nT2;C1;03/03/2024;5,00;Paris\n"
    )
    job = _import(org, "transactions", write_csv(tmp_path / "ventes.csv", content))
    customer.refresh_from_db()
    assert customer.purchases_count == 2

    # When it is undone
    _undo(org, job)

    # Then T1 is back as it was, T2 is gone, and the customer's figures are counted again
    sale = Transaction.objects.get()
    assert (sale.external_id, sale.amount, sale.store, sale.occurred_at) == (
        "T1",
        Decimal("12.50"),
        "Lyon",
        at,
    )
    customer.refresh_from_db()
    assert customer.purchases_count == 1


def test_an_import_changed_since_by_a_later_one_is_refused_until_that_one_is_undone(
    tmp_path: Path, org: Organization
) -> None:
    # Given contacts imported, then imported again with a changed subject
    CustomerFactory.create(organization=org, external_id="C1")
    header = "N° ticket;Code client;Type;Date;Objet\n"
    first = _import(
        org, "interactions", write_csv(tmp_path / "a.csv", header + "I1;C1;appel;02/03/2024;Retard\n")
    )
    later = _import(
        org, "interactions", write_csv(tmp_path / "b.csv", header + "I1;C1;appel;02/03/2024;Perdu\n")
    )

    # When the first is undone, it is refused, naming the row and what to do
    with pytest.raises(CommandError) as refused:
        _undo(org, first)
    assert str(refused.value) == (
        f"Import #{first.pk} cannot be undone: 1 row it wrote has changed since it ran (I1): by a later "
        "import, an edit or the API. Undo the later imports first, the newest first."
    )
    assert Interaction.objects.get().subject == "Perdu"

    # When the later one is undone first, then the first
    _undo(org, later)
    assert Interaction.objects.get().subject == "Retard"
    _undo(org, first)

    # Then nothing of either is left
    assert not Interaction.objects.exists()


def test_a_customer_created_by_an_import_who_has_sales_since_keeps_the_import_from_being_undone(
    tmp_path: Path, org: Organization
) -> None:
    job = _import(org, "customers", write_csv(tmp_path / "clients.csv", CUSTOMERS))
    c2 = Customer.objects.get(external_id="C2")
    Transaction.objects.create(
        organization=org,
        customer=c2,
        external_id="T9",
        occurred_at=datetime(2024, 3, 1, tzinfo=UTC),
        amount=1,
    )
    with pytest.raises(CommandError, match=r"1 customer it created has since got sales.*\(C2\)"):
        _undo(org, job)
    assert Customer.objects.count() == 2


def test_undoing_a_consents_import_removes_what_it_recorded_and_the_earlier_consent_applies_again(
    tmp_path: Path, org: Organization
) -> None:
    customer = CustomerFactory.create(organization=org, external_id="C1")
    Consent.objects.create(
        organization=org,
        customer=customer,
        channel="email",
        purpose="surveys",
        granted=True,
        recorded_at=datetime(2023, 1, 1, tzinfo=UTC),
    )
    content = "Code client;Canal;Finalité;Consentement;Date\nC1;email;enquetes;non;02/03/2024\n"
    job = _import(org, "consents", write_csv(tmp_path / "consentements.csv", content))
    _undo(org, job)
    assert list(Consent.objects.values_list("granted", flat=True)) == [True]


def test_the_undo_page_says_what_it_will_do_and_what_it_cannot_then_undoes_on_post(
    owner_client: Client, org: Organization, tmp_path: Path
) -> None:
    # Given a customers import
    job = _import(org, "customers", write_csv(tmp_path / "clients.csv", CUSTOMERS))
    url = reverse("customers:import_undo", args=[job.pk])

    # When its page, then the undo page, are read
    detail = owner_client.get(reverse("customers:import_detail", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")
    page = owner_client.get(url, HTTP_ACCEPT_LANGUAGE="en")

    # Then the undo is offered, counted, and its limits said
    assert url in detail.content.decode()
    html = page.content.decode()
    assert "2 rows added by this import will be removed." in html
    assert "Tags it added to customers stay." in html
    assert 'name="csrfmiddlewaretoken"' in html

    # When it is confirmed
    response = owner_client.post(url)

    # Then the customers are gone and the import says it was undone
    assert response.status_code == 302
    assert not Customer.objects.exists()
    detail = owner_client.get(reverse("customers:import_detail", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Annulé le" in detail.content.decode()
    # And a second confirmation answers that it cannot be undone, without an error
    again = owner_client.post(url, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 409
    assert "This import was undone already." in again.content.decode()


def test_another_organizations_import_cannot_be_undone_nor_seen(
    org: Organization, other_org: Organization, tmp_path: Path
) -> None:
    job = _import(org, "customers", write_csv(tmp_path / "clients.csv", CUSTOMERS))
    stranger = member_client(MembershipFactory.create(organization=other_org, role="owner"))
    url = reverse("customers:import_undo", args=[job.pk])
    assert stranger.get(url).status_code == 404
    assert stranger.post(url).status_code == 404
    with pytest.raises(CommandError, match="No import"):
        call_command("undo_import", str(job.pk), "--org", other_org.slug, "--language", "en")
    assert Customer.objects.filter(organization=org).count() == 2


@pytest.mark.parametrize("kind", ["transactions", "customers"])
def test_an_import_killed_part_way_is_undone_from_what_it_wrote_but_not_while_it_still_runs(
    tmp_path: Path, org: Organization, owner_client: Client, kind: str
) -> None:
    # Given an import whose process was killed once its rows were written, as kill -9 leaves it:
    # still "importing", its lease run out
    known = CustomerFactory.create(organization=org, external_id="C0")
    rows = {
        "transactions": "N° ticket;Code client;Date;Montant\n"
        "T1;C0;01/02/2024;10,00\nT2;C0;02/02/2024;20,00\n",
        "customers": "Code client;Nom;Ville\nC1;Durand;Paris\nC2;Petit;Nantes\n",
    }[kind]
    job = _import(org, kind, write_csv(tmp_path / "fichier.csv", rows))
    running = {"status": "writing", "finished_at": None, "runner": "elsewhere:1"}
    ImportJob.objects.filter(pk=job.pk).update(
        **running, lease_expires_at=timezone.now() + timedelta(minutes=5)
    )

    # When it is undone while its lease still runs, it is refused: it may still be writing
    with pytest.raises(CommandError, match="still running"):
        _undo(org, job)
    model = Transaction if kind == "transactions" else Customer
    assert model.objects.filter(imported_by=job.pk).count() == 2

    # When its lease has run out (the process is dead) and it is undone, its page offering it
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        detail = owner_client.get(reverse("customers:import_detail", args=[job.pk]))
        assert reverse("customers:import_undo", args=[job.pk]) in detail.content.decode()
        out = _undo(org, job)

    # Then the rows it wrote are gone, and it is undone rather than resumable
    assert out.strip() == f"Import #{job.pk} undone: 2 rows removed, 0 rows put back as they were."
    assert list(model.objects.all()) == ([] if kind == "transactions" else [known])
    job.refresh_from_db()
    assert job.status == "undone"


@pytest.mark.django_db(transaction=True)
def test_undoing_the_same_import_twice_at_once_undoes_it_once(tmp_path: Path, org: Organization) -> None:
    # Given a sales import that changed a sale known before
    customer = CustomerFactory.create(organization=org, external_id="C1")
    Transaction.objects.create(
        organization=org,
        customer=customer,
        external_id="T1",
        occurred_at=datetime(2024, 1, 5, tzinfo=UTC),
        amount=5,
    )
    sales = "N° ticket;Code client;Date;Montant\nT1;C1;01/02/2024;10,00\nT2;C1;02/02/2024;20,00\n"
    job = _import(org, "transactions", write_csv(tmp_path / "ventes.csv", sales))

    # When two undo it at the same moment
    outcomes: list[str] = []

    def undo() -> None:
        try:
            with translation.override("en"):
                undo_import(ImportJob.objects.get(pk=job.pk))
            outcomes.append("undone")
        except UndoRefusedError as refused:
            with translation.override("en"):
                outcomes.append(" ".join(map(str, refused.reasons)))
        finally:
            connection.close()

    threads = [threading.Thread(target=undo) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then one undoes it, the other is told it was undone already; the sale known before is as it was
    assert sorted(outcomes) == ["This import was undone already.", "undone"]
    assert list(Transaction.objects.values_list("external_id", "amount")) == [("T1", Decimal("5"))]
