"""The files French CRMs and tills really export are imported as they are."""

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer, Tag, Transaction
from tests.customers.importing import run_import, write_csv

CUSTOMERS = (
    "N° client;Civilité;Prénom;Nom;Courriel;Téléphone;Code postal;Ville;Région;Date de création;"
    "Segments;Fidélité\n"
    "C-001;Mme;Hélène;Lefèvre;Helene.Lefevre@Exemple.fr;06 12 34 56 78;75011;Paris;Île-de-France;03/04/2023;"
    "VIP, newsletter;or\n"
    "C-002;M.;François;Bénard;francois@exemple.fr;;69002;Lyon;Auvergne-Rhône-Alpes;25/12/2022;;argent\n"
    'C-003;;"Anne; dite ""Nanou""";Dubois;anne@exemple.fr;;"13001";"Marseille\n'
    "(Vieux-Port)\";Provence-Alpes-Côte d'Azur;01/02/2024;B2B;\n"
)

SALES = """N° commande;N° client;Date de commande;Montant TTC;Magasin
V1;C-001;03/04/2024 14:30;12,50 €;Paris Rivoli
V2;C-002;13/04/2024;1\u202f234,50;Lyon Part-Dieu
V3;C-001;05/05/2024;€8.90;Web
"""


def test_a_cp1252_semicolon_export_with_french_headers_is_imported(tmp_path: Path, org: Organization) -> None:
    # Given a customer export from a French CRM: cp1252, semicolons, quoted fields with ; and line breaks
    path = write_csv(tmp_path / "clients.csv", CUSTOMERS, "cp1252")
    # When it is imported
    out, _err = run_import("customers", str(path), "--org", org.slug)
    # Then every customer is there with the guessed columns, accents intact
    assert "3" in out
    helene = Customer.objects.get(organization=org, external_id="C-001")
    assert (helene.first_name, helene.last_name, helene.city) == ("Hélène", "Lefèvre", "Paris")
    assert helene.email == "helene.lefevre@exemple.fr"
    assert helene.region == "Île-de-France"
    # the creation date is the organization's day (Europe/Paris), stored as an aware datetime
    assert helene.created_at == datetime(2023, 4, 2, 22, 0, tzinfo=UTC)
    anne = Customer.objects.get(organization=org, external_id="C-003")
    assert anne.first_name == 'Anne; dite "Nanou"'
    # a line break inside a quoted field stays, as the CRM wrote it
    assert anne.city == "Marseille\r\n(Vieux-Port)"
    # unknown columns are kept as CRM fields, tags are attached
    assert helene.attributes["Fidélité"] == "or"
    assert helene.attributes["Civilité"] == "Mme"
    assert set(helene.tags.values_list("name", flat=True)) == {"VIP", "newsletter"}
    assert Tag.objects.filter(organization=org).count() == 3


def test_sales_with_decimal_commas_currency_signs_and_french_dates_are_imported(
    tmp_path: Path, org: Organization
) -> None:
    run_import("customers", str(write_csv(tmp_path / "c.csv", CUSTOMERS, "utf-8-sig")), "--org", org.slug)
    # Given a till export with "12,50 €", narrow no-break space thousands and "€8.90"
    path = write_csv(tmp_path / "ventes.csv", SALES, "utf-8-sig")
    # When it is imported
    run_import("transactions", str(path), "--org", org.slug)
    # Then amounts are exact decimals and dates are the shop's local time
    amounts = dict(Transaction.objects.filter(organization=org).values_list("external_id", "amount"))
    assert amounts == {"V1": Decimal("12.50"), "V2": Decimal("1234.50"), "V3": Decimal("8.90")}
    v1 = Transaction.objects.get(external_id="V1")
    assert v1.occurred_at == datetime(2024, 4, 3, 12, 30, tzinfo=UTC)
    assert v1.store == "Paris Rivoli"
    # And each customer's purchase summary follows
    helene = Customer.objects.get(external_id="C-001")
    assert helene.purchases_count == 2
    assert helene.last_purchase_at == datetime(2024, 5, 4, 22, 0, tzinfo=UTC)


def test_day_and_month_are_decided_from_the_whole_column(tmp_path: Path, org: Organization) -> None:
    run_import("customers", str(write_csv(tmp_path / "c.csv", CUSTOMERS)), "--org", org.slug)
    # Given a US-style column where only the last row shows the month comes first
    rows = "\n".join(f"U{i};C-002;03/04/2024;10,00" for i in range(30)) + "\nU99;C-002;04/25/2024;10,00\n"
    path = write_csv(tmp_path / "us.csv", "Order ID;Customer ID;Date;Amount\n" + rows)
    # When it is imported
    run_import("transactions", str(path), "--org", org.slug)
    # Then 03/04/2024 is read as March 4th, not April 3rd
    first = Transaction.objects.get(external_id="U0")
    assert first.occurred_at.astimezone(UTC).date().isoformat() == "2024-03-03"  # midnight in Paris
    assert Transaction.objects.get(external_id="U99").occurred_at.date().isoformat() == "2024-04-24"


def test_iso_compact_and_two_digit_year_dates_and_tab_delimited_files(
    tmp_path: Path, org: Organization
) -> None:
    run_import("customers", str(write_csv(tmp_path / "c.csv", CUSTOMERS)), "--org", org.slug)
    text = (
        "ref\tclient\tdate\tmontant\nA\tC-001\t2024-02-29\t1\nB\tC-001\t20240301\t2\nC\tC-001\t02.03.24\t3\n"
    )
    run_import(
        "transactions",
        str(write_csv(tmp_path / "t.tsv", text)),
        "--org",
        org.slug,
        "--map",
        "ref=external_id",
    )
    dates = {
        t.external_id: t.occurred_at.astimezone(UTC).date().isoformat()
        for t in Transaction.objects.filter(organization=org)
    }
    assert dates == {"A": "2024-02-28", "B": "2024-02-29", "C": "2024-03-01"}
