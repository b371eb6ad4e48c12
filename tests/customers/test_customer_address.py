"""A customer has one postal address: street lines kept as such (not as loose CRM fields), the country
read from its name or its code and shown by its name in the reader's language."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer
from tests.customers.importing import failing_import, run_import, write_csv
from tests.factories import CustomerFactory


def test_a_crm_export_s_address_columns_make_one_address_with_the_country_by_name(
    tmp_path: Path, owner_client: Client, org: Organization
) -> None:
    # Given a French CRM export with street, complement, postcode, city and countries written three ways
    crm = write_csv(
        tmp_path / "clients.csv",
        "N° client;Nom;Adresse;Complément d'adresse;Code postal;Ville;Pays\n"
        "C1;Martin;12 rue de la Roquette;Bâtiment B;75011;Paris;France\n"
        "C2;Peeters;Rue Neuve 3;;1000;Bruxelles;BELGIQUE\n"
        "C3;Müller;Hauptstraße 5;;10115;Berlin;DEU\n",
        "cp1252",
    )
    # When it is imported
    run_import("customers", str(crm), "--org", org.slug)
    # Then the address columns are the address, not CRM fields, and countries are stored by code
    rows = Customer.objects.for_org(org).order_by("external_id")
    assert [(c.address_line1, c.address_line2, c.country, c.attributes) for c in rows] == [
        ("12 rue de la Roquette", "Bâtiment B", "FR", {}),
        ("Rue Neuve 3", "", "BE", {}),
        ("Hauptstraße 5", "", "DE", {}),
    ]
    # And the customer page shows one address, the country by its name in the reader's language
    martin, muller = rows[0], rows[2]
    page = owner_client.get(reverse("customers:customer_detail", args=[martin.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    html = page.content.decode()
    assert html.count("<dt>Adresse</dt>") == 1
    assert "<dd>12 rue de la Roquette<br>Bâtiment B<br>75011 Paris<br>France</dd>" in html
    german = owner_client.get(
        reverse("customers:customer_detail", args=[muller.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert "<br>Allemagne</dd>" in german.content.decode()
    english = owner_client.get(
        reverse("customers:customer_detail", args=[muller.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "<br>Germany</dd>" in english.content.decode()


def test_a_country_nobody_knows_is_refused_naming_the_row(tmp_path: Path, org: Organization) -> None:
    # Given a file whose country is a typo
    crm = write_csv(tmp_path / "clients.csv", "N° client;Nom;Pays\nC1;Martin;Frnace\n")
    # When it is imported
    _message, problems = failing_import("customers", str(crm), "--org", org.slug, "--language", "en")
    # Then the row, the column and the reason are named
    assert "Frnace" in problems
    assert "line 2" in problems
    assert "not a country known by its name or its code (France, FR, FRA)" in problems


@pytest.mark.parametrize(
    ("stored", "reader", "shown"),
    [
        ("fr", "fr", "Français"),
        ("fr", "en", "French"),
        ("EN", "fr", "Anglais"),
        ("pt_BR", "en", "Brazilian Portuguese"),
        ("de-at", "fr", "Allemand"),
        ("xx", "fr", "xx"),
    ],
)
def test_the_customer_page_names_the_customer_s_language_in_the_reader_s_language(
    owner_client: Client, org: Organization, stored: str, reader: str, shown: str
) -> None:
    # Given a customer whose language the CRM wrote as a code, in any case or form
    customer = CustomerFactory.create(organization=org, language=stored)
    # When the customer page is read in French or English
    page = owner_client.get(
        reverse("customers:customer_detail", args=[customer.pk]), HTTP_ACCEPT_LANGUAGE=reader
    )
    # Then the language is named in the reader's language; a code no language has is shown as written
    named = re.search(r"<dt>(?:Language|Langue)</dt><dd>([^<]*)</dd>", page.content.decode())
    assert named is not None
    assert named.group(1) == shown
