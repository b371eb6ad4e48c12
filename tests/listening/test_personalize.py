"""Texts that use the customer's fields, with a fallback, and placeholders checked when saved."""

import pytest
from django.utils import translation

from ecoute.accounts.models import Organization
from ecoute.listening.personalize import check_placeholders, customer_values, placeholders, render
from ecoute.listening.queries import known_customer_fields
from tests.factories import CustomerFactory


def test_a_placeholder_takes_the_customers_value() -> None:
    text = "Bonjour {first_name|cher client}, votre visite à {store} …"
    assert render(text, {"first_name": "Léa", "store": "Lyon Part-Dieu"}) == (
        "Bonjour Léa, votre visite à Lyon Part-Dieu …"
    )


def test_an_empty_or_missing_field_takes_the_fallback() -> None:
    text = "Bonjour {first_name|cher client},"
    assert render(text, {"first_name": "  "}) == "Bonjour cher client,"
    assert render(text, {}) == "Bonjour cher client,"


def test_an_empty_placeholder_without_fallback_takes_its_space_with_it() -> None:
    assert render("Merci {first_name|} !", {"first_name": ""}) == "Merci !"
    assert render("Bonjour {first_name},", {}) == "Bonjour,"


def test_double_braces_write_a_brace() -> None:
    assert render("{{first_name}} vaut {first_name}", {"first_name": "Léa"}) == "{first_name} vaut Léa"
    assert placeholders("{{first_name}}") == []


def test_unknown_fields_and_stray_braces_are_named_in_french() -> None:
    with translation.override("fr"):
        problems = check_placeholders("Bonjour {prenom|}, {first_name", {"first_name", "store"})
    assert [problem.replace("\xa0", " ") for problem in problems] == [
        "{prenom} ne désigne aucun champ client ni champ CRM (connus : first_name, store).",
        "Une accolade « { » n’ouvre ni ne ferme aucun champ : écrivez {first_name}, ou {{ pour une accolade.",
    ]


def test_known_placeholders_raise_no_problem() -> None:
    assert check_placeholders("Bonjour {first_name|cher client} {{ok}}", {"first_name"}) == []


@pytest.mark.django_db
def test_crm_fields_of_the_organizations_customers_are_known_fields(
    org: Organization, other_org: Organization
) -> None:
    # given customers with CRM fields, and another organization's customer with others
    CustomerFactory.create(organization=org, attributes={"store": "Lyon", "tier": "or"})
    CustomerFactory.create(organization=org, attributes={"store": "Nantes", "birthday": "03-14"})
    CustomerFactory.create(organization=org, attributes={})
    CustomerFactory.create(organization=other_org, attributes={"secret_field": "x"})
    # when the known fields are read
    known = known_customer_fields(org)
    # then they are the customer columns and this organization's CRM keys only
    assert {"store", "tier", "birthday", "first_name", "city"} <= known
    assert "secret_field" not in known


@pytest.mark.django_db
def test_a_customers_values_are_their_columns_and_crm_fields(org: Organization) -> None:
    customer = CustomerFactory.create(organization=org, first_name="Léa", attributes={"store": "Lyon"})
    assert render("{first_name} à {store}", customer_values(customer)) == "Léa à Lyon"
