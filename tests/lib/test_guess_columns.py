"""Guessing which column holds which field from French and English headers."""

from __future__ import annotations

import pytest

from ecoute.lib.columns import CRM_SYNONYMS, guess_mapping, normalize_header, parse_mapping_overrides

CUSTOMER_FIELDS = {
    field: CRM_SYNONYMS[field]
    for field in (
        "customer_id", "last_name", "first_name", "email", "phone", "postcode", "city", "region",
        "country", "company", "language", "created_at",
    )
}  # fmt: skip
SALE_FIELDS = {
    field: CRM_SYNONYMS[field]
    for field in ("customer_id", "order_id", "ordered_at", "amount", "currency", "channel", "store")
}


@pytest.mark.parametrize(
    ("header", "normalized"),
    [
        ("N° client", "numero client"),
        ("Nº Client", "numero client"),
        ("No. client", "numero client"),
        ("Num client", "numero client"),
        ("NUMÉRO CLIENT", "numero client"),
        ("customer_id", "customer id"),
        ("CustomerId", "customer id"),
        ("  E-mail  ", "e mail"),
        ("Date d'achat", "date d achat"),
        ("Montant TTC (€)", "montant ttc"),
        ("Cœur de cible", "coeur de cible"),
        ("Tél.", "tel"),
    ],
)
def test_headers_are_compared_without_accents_case_punctuation_or_spacing(
    header: str, normalized: str
) -> None:
    # Given a header as an export writes it
    # When it is normalized
    # Then only lowercase words remain, with every way of writing "number" as "numero"
    assert normalize_header(header) == normalized


def test_a_french_crm_customer_export_is_mapped() -> None:
    # Given the headers of a French CRM export
    headers = [
        "N° client", "Civilité", "Nom", "Prénom", "Adresse mail", "Tél. portable", "Code postal",
        "Ville", "Région", "Pays", "Raison sociale", "Langue", "Date de création", "Remarques",
    ]  # fmt: skip

    # When the columns are guessed
    mapping = guess_mapping(headers, CUSTOMER_FIELDS)

    # Then every known field finds its column and unknown columns stay out
    assert {headers[column]: field for column, field in mapping.items()} == {
        "N° client": "customer_id",
        "Nom": "last_name",
        "Prénom": "first_name",
        "Adresse mail": "email",
        "Tél. portable": "phone",
        "Code postal": "postcode",
        "Ville": "city",
        "Région": "region",
        "Pays": "country",
        "Raison sociale": "company",
        "Langue": "language",
        "Date de création": "created_at",
    }


def test_an_english_export_with_snake_case_headers_is_mapped() -> None:
    # Given an export from an English tool
    headers = ["customer_id", "Email", "First Name", "lastName", "ZIP", "Company Name", "created_at"]

    # When the columns are guessed
    mapping = guess_mapping(headers, CUSTOMER_FIELDS)

    # Then the field names and English synonyms are recognised
    assert list(mapping.values()) == [
        "customer_id", "email", "first_name", "last_name", "postcode", "company", "created_at",
    ]  # fmt: skip


def test_a_till_export_maps_the_sale_date_and_not_the_creation_date() -> None:
    # Given a till export with two date columns and an amount with its unit
    headers = ["Code client", "Date de création", "Date", "Montant TTC (€)", "Devise", "Point de vente", "CP"]

    # When the columns are guessed for sales
    mapping = guess_mapping(headers, SALE_FIELDS)

    # Then "Date" is the sale date, and the amount is found despite "(€)"
    assert mapping == {0: "customer_id", 2: "ordered_at", 3: "amount", 4: "currency", 5: "store"}


def test_each_field_takes_its_preferred_column_once() -> None:
    # Given two columns that could both be the phone number
    headers = ["Portable", "Téléphone", "E-mail", "Courriel"]

    # When the columns are guessed
    mapping = guess_mapping(headers, CUSTOMER_FIELDS)

    # Then the earlier synonym wins and no field is given twice
    assert mapping == {1: "phone", 2: "email"}


def test_compact_spellings_match_spaced_synonyms() -> None:
    # Given headers written without spaces or hyphens
    headers = ["Codepostal", "Email", "Raisonsociale"]

    # When the columns are guessed
    # Then they still match
    assert guess_mapping(headers, CUSTOMER_FIELDS) == {0: "postcode", 1: "email", 2: "company"}


def test_a_header_only_loosely_related_is_not_matched() -> None:
    # Given a header that merely contains a synonym among many other words
    headers = ["Date de dernière relance commerciale par téléphone"]

    # When the columns are guessed for sales
    # Then "Date" is not enough to call it the sale date
    assert guess_mapping(headers, SALE_FIELDS) == {}


def test_user_overrides_fix_columns_and_the_rest_is_guessed_around_them() -> None:
    # Given an export where "Nom" holds the company and the user says so
    headers = ["Code client", "Nom", "Contact", "Courriel"]
    overrides, errors = parse_mapping_overrides(
        ["nom=company", "Contact=last_name"], headers, CUSTOMER_FIELDS
    )

    # When the columns are guessed with the overrides
    mapping = guess_mapping(headers, CUSTOMER_FIELDS, overrides=overrides)

    # Then the overrides win and the other columns are still guessed
    assert errors == []
    assert mapping == {0: "customer_id", 1: "company", 2: "last_name", 3: "email"}


def test_an_override_with_no_field_leaves_a_column_out() -> None:
    # Given a column the user does not want imported
    headers = ["Code client", "E-mail"]
    overrides, _ = parse_mapping_overrides(["E-MAIL="], headers, CUSTOMER_FIELDS)

    # When the columns are guessed
    # Then it is not mapped
    assert overrides == {1: None}
    assert guess_mapping(headers, CUSTOMER_FIELDS, overrides=overrides) == {0: "customer_id"}


def test_an_override_may_name_a_column_by_position_when_no_header_has_that_name() -> None:
    # Given headers without a column named "3"
    headers = ["a", "b", "c"]

    # When the third column is given by number
    overrides, errors = parse_mapping_overrides(
        ["3=email", "Customer ID=customer_id"], headers, CUSTOMER_FIELDS
    )

    # Then it is the third column, and the unknown one is reported
    assert overrides == {2: "email"}
    assert [error.code for error in errors] == ["unknown_column"]


def test_every_bad_override_is_reported_with_a_reason_code() -> None:
    # Given overrides with mistakes of every kind
    headers = ["Nom", "Nom", "Ville", "Courriel"]
    specs = [
        "Ville",
        "Pays=country",
        "Nom=last_name",
        "Ville=town",
        "Ville=email",
        "Courriel=email",
        "=email",
    ]

    # When they are parsed
    overrides, errors = parse_mapping_overrides(specs, headers, CUSTOMER_FIELDS)

    # Then each mistake is named and the valid ones are kept
    assert [(error.code, error.params.get("column") or error.params.get("field")) for error in errors] == [
        ("invalid_override", None),
        ("unknown_column", "Pays"),
        ("ambiguous_column", "Nom"),
        ("unknown_field", "town"),
        ("duplicate_field", "email"),
        ("invalid_override", None),
    ]
    assert overrides == {2: "email"}
    assert "Nom, Nom, Ville, Courriel" in str(errors[1])
