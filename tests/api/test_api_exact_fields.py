"""The API takes its records' fields by exact name, as its OpenAPI schema documents them; CRM fields
go under `attributes`; everything else is refused whole, said like a file import says it."""

import pytest
from django.test import Client

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer
from tests.api.conftest import post
from tests.factories import CustomerFactory


def test_a_key_that_is_not_a_field_is_refused_not_guessed(api: Client, org: Organization) -> None:
    # Given a record whose e-mail consent flag looks like an e-mail column to a file import
    body = [{"external_id": "C1"}, {"external_id": "C2", "email_consent": "x@y.fr", "loyalty": "gold"}]
    # When it is sent
    response = post(api, "/customers/bulk", body, HTTP_ACCEPT_LANGUAGE="en")
    # Then the request is refused, naming the row, each unknown field and its value; nothing is written
    assert response.status_code == 422
    assert [(p["row"], p["field"], p["value"], p["code"]) for p in response.json()["problems"]] == [
        (2, "email_consent", "x@y.fr", "unknown_field"),
        (2, "loyalty", "gold", "unknown_field"),
    ]
    assert "attributes" in response.json()["problems"][0]["message"]
    assert not Customer.objects.filter(organization=org).exists()


def test_crm_fields_go_under_attributes_as_text_and_merge_with_those_stored(
    api: Client, org: Organization
) -> None:
    before = CustomerFactory.create(
        organization=org, external_id="C1", attributes={"store": "Lyon", "tier": "silver"}
    )
    body = [{"external_id": "C1", "attributes": {"tier": "gold", "email": "not a field here"}}]
    assert post(api, "/customers/bulk", body).status_code == 200
    customer = Customer.objects.get(organization=org, external_id="C1")
    assert customer.attributes == {"store": "Lyon", "tier": "gold", "email": "not a field here"}
    assert customer.email == before.email
    refused = post(api, "/customers/bulk", [{"external_id": "C1", "attributes": {"tier": 3}}])
    assert refused.status_code == 422
    assert [(p["field"], p["code"]) for p in refused.json()["problems"]] == [("attributes.tier", "not_text")]


def test_tags_sent_as_a_list_are_kept_whole(api: Client, org: Organization) -> None:
    assert (
        post(api, "/customers/bulk", [{"external_id": "T1", "tags": ["Paris, 11e", "VIP"]}]).status_code
        == 200
    )
    tags = Customer.objects.get(organization=org).tags.values_list("name", flat=True)
    assert sorted(tags) == ["Paris, 11e", "VIP"]


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "a value is required"), ("fr", "une valeur est obligatoire")],
)
def test_a_missing_field_is_named_in_the_language_asked(api: Client, language: str, message: str) -> None:
    response = post(
        api, "/transactions/bulk", [{"customer": "C1", "amount": 5}], HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 422
    assert response.json()["problems"] == [
        {"row": 1, "field": "occurred_at", "value": "", "code": "required", "message": message}
    ]


def test_a_consent_channel_must_be_one_of_those_documented(api: Client, org: Organization) -> None:
    CustomerFactory.create(organization=org, external_id="C1")
    consent = {"customer": "C1", "channel": "courriel", "purpose": "surveys", "granted": True}
    response = post(api, "/consents", [{**consent, "recorded_at": "2026-01-15"}], HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    problem = response.json()["problems"][0]
    assert (problem["field"], problem["code"]) == ("channel", "invalid_choice")
    assert "email" in problem["message"]


def test_the_openapi_schema_documents_each_kind_of_record_field_by_field(org: Organization) -> None:
    schemas = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    for name, required in (
        ("CustomerIn", ["external_id"]),
        ("TransactionIn", ["customer", "occurred_at", "amount"]),
        ("ConsentIn", ["customer", "channel", "purpose", "granted", "recorded_at"]),
    ):
        schema = schemas[name]
        assert schema["additionalProperties"] is False
        assert schema["required"] == required
        for field, spec in schema["properties"].items():
            assert spec.get("description"), (name, field)
    customer = schemas["CustomerIn"]["properties"]
    assert customer["attributes"]["anyOf"][0]["additionalProperties"]["type"] == "string"
    assert customer["email"]["anyOf"][0]["maxLength"] == 254


def test_the_api_takes_a_country_by_name_or_code_as_files_do(api: Client, org: Organization) -> None:
    # Given customers sent through the API with a country name and a code
    body = [
        {"external_id": "A1", "address_line1": "1 place Bellecour", "country": "france"},
        {"external_id": "A2", "country": "ch"},
    ]
    # When they are written
    assert post(api, "/customers/bulk", body).status_code == 200
    # Then both are stored by code
    stored = dict(Customer.objects.for_org(org).values_list("external_id", "country"))
    assert stored == {"A1": "FR", "A2": "CH"}
    assert Customer.objects.get(organization=org, external_id="A1").address_line1 == "1 place Bellecour"
