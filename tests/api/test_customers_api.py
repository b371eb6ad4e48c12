"""The API: per-organization keys, customers list/get/bulk upsert, transactions, consents, idempotency."""

import json
from typing import Any

import pytest
from django.test import Client

from ecoute.accounts.models import ApiKey, Organization
from ecoute.customers.models import Consent, Customer, Transaction
from tests.factories import CustomerFactory


@pytest.fixture
def api(org: Organization) -> Client:
    _key, secret = ApiKey.issue(org, "CRM")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _post(client: Client, path: str, body: Any, **headers: Any) -> Any:
    return client.post(f"/api/v1{path}", json.dumps(body), content_type="application/json", **headers)


def test_a_request_without_a_valid_key_is_refused(org: Organization) -> None:
    assert Client().get("/api/v1/customers").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer ek_forged").get("/api/v1/customers").status_code == 401


def test_a_revoked_key_stops_working(org: Organization) -> None:
    key, secret = ApiKey.issue(org, "old")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/customers").status_code == 200
    key.revoked_at = key.created_at
    key.save()
    assert client.get("/api/v1/customers").status_code == 401


def test_the_key_is_stored_hashed_never_in_clear(org: Organization) -> None:
    key, secret = ApiKey.issue(org, "CRM")
    assert secret not in (key.key_hash, key.prefix)
    assert len(secret) > 40


def test_customers_are_listed_and_read_by_crm_id_within_the_organization(
    api: Client, org: Organization, other_org: Organization
) -> None:
    CustomerFactory.create(organization=org, external_id="A1", last_name="Arnaud")
    CustomerFactory.create(organization=other_org, external_id="B1")
    page = api.get("/api/v1/customers").json()
    assert page["count"] == 1
    assert page["results"][0]["external_id"] == "A1"
    assert api.get("/api/v1/customers/A1").json()["last_name"] == "Arnaud"
    assert api.get("/api/v1/customers/B1").status_code == 404


def test_bulk_upsert_creates_then_updates_customers(api: Client, org: Organization) -> None:
    body = [
        {
            "external_id": "X1",
            "email": "x1@exemple.fr",
            "first_name": "Inès",
            "attributes": {"loyalty": "gold"},
        }
    ]
    assert _post(api, "/customers/bulk", body).json() == {"received": 1, "written": 1, "duplicates": 0}
    _post(api, "/customers/bulk", [{"external_id": "X1", "city": "Nantes"}])
    customer = Customer.objects.get(organization=org, external_id="X1")
    assert (customer.first_name, customer.city, customer.attributes) == (
        "Inès",
        "Nantes",
        {"loyalty": "gold"},
    )


def test_invalid_records_are_refused_whole_with_the_same_messages_as_the_importer(
    api: Client, org: Organization
) -> None:
    body = [{"external_id": "Y1"}, {"external_id": "Y2", "email": "not-an-email"}]
    response = _post(api, "/customers/bulk", body, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    problem = response.json()["problems"][0]
    assert (problem["row"], problem["field"], problem["value"], problem["code"]) == (
        2,
        "email",
        "not-an-email",
        "invalid_email",
    )
    assert problem["message"] == "not a valid e-mail address"
    assert not Customer.objects.filter(organization=org).exists()


def test_transactions_and_consents_are_written_for_known_customers(api: Client, org: Organization) -> None:
    CustomerFactory.create(organization=org, external_id="Z1")
    sales = [{"external_id": "S1", "customer": "Z1", "occurred_at": "2026-01-15T10:30:00", "amount": "19.90"}]
    assert _post(api, "/transactions/bulk", sales).status_code == 200
    assert Transaction.objects.get(external_id="S1").customer.external_id == "Z1"
    assert Customer.objects.get(external_id="Z1").purchases_count == 1
    consent = [
        {
            "customer": "Z1",
            "channel": "email",
            "purpose": "surveys",
            "granted": True,
            "recorded_at": "2026-01-15",
        }
    ]
    assert _post(api, "/consents", consent).status_code == 200
    assert Consent.objects.get().granted is True
    assert Customer.objects.get(external_id="Z1").email_consent is True
    unknown = [{"external_id": "S2", "customer": "NOPE", "occurred_at": "2026-01-15", "amount": 1}]
    assert _post(api, "/transactions/bulk", unknown).json()["problems"][0]["code"] == "unknown_customer"


def test_an_idempotency_key_replays_the_first_answer_and_refuses_another_body(
    api: Client, org: Organization
) -> None:
    body = [{"external_id": "K1", "first_name": "Karim"}]
    first = _post(api, "/customers/bulk", body, HTTP_IDEMPOTENCY_KEY="sync-42")
    Customer.objects.filter(external_id="K1").update(first_name="Changed meanwhile")
    replay = _post(api, "/customers/bulk", body, HTTP_IDEMPOTENCY_KEY="sync-42")
    assert replay.json() == first.json()
    assert Customer.objects.get(external_id="K1").first_name == "Changed meanwhile"  # not written twice
    other = _post(api, "/customers/bulk", [{"external_id": "K2"}], HTTP_IDEMPOTENCY_KEY="sync-42")
    assert other.status_code == 422


def test_a_body_over_the_limit_answers_413(api: Client, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = [{"external_id": f"L{i}", "company": "x" * 50} for i in range(100)]
    assert _post(api, "/customers/bulk", body).status_code == 413


def test_malformed_json_answers_400_not_500(api: Client) -> None:
    response = api.post("/api/v1/customers/bulk", "{not json", content_type="application/json")
    assert response.status_code in {400, 422}


def test_the_openapi_schema_is_published(org: Organization) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/customers/bulk" in schema["paths"]


def test_a_refused_write_is_not_replayed_once_the_cause_is_fixed(api: Client, org: Organization) -> None:
    # Given a sale for a customer the API does not know yet, sent with an idempotency key
    sale = [{"external_id": "S9", "customer": "LATE", "occurred_at": "2026-02-01", "amount": "5"}]
    assert _post(api, "/transactions/bulk", sale, HTTP_IDEMPOTENCY_KEY="k-9").status_code == 400
    # When the customer arrives and the same request is sent again with the same key
    CustomerFactory.create(organization=org, external_id="LATE")
    retry = _post(api, "/transactions/bulk", sale, HTTP_IDEMPOTENCY_KEY="k-9")
    # Then it is written
    assert retry.status_code == 200
    assert Transaction.objects.filter(external_id="S9").exists()


def test_values_sent_as_objects_or_lists_are_refused(api: Client, org: Organization) -> None:
    response = _post(
        api, "/customers/bulk", [{"external_id": {"a": 1}}, {"external_id": "T2", "tags": ["VIP"]}]
    )
    assert response.status_code == 422
    assert [(p["row"], p["field"], p["code"]) for p in response.json()["problems"]] == [
        (1, "external_id", "not_text")
    ]
    assert not Customer.objects.filter(organization=org).exists()


def test_api_messages_follow_the_organizations_language_without_accept_language(
    api: Client, org: Organization
) -> None:
    response = _post(api, "/customers/bulk", [{"external_id": "Y2", "email": "not-an-email"}])
    assert response.json()["problems"][0]["message"] != "not a valid e-mail address"  # French organization


def test_a_field_one_record_leaves_out_keeps_its_stored_value_though_others_send_it(
    api: Client, org: Organization
) -> None:
    # Given a customer known with her city and her first name
    CustomerFactory.create(organization=org, external_id="B1", city="Brest", first_name="Béa")
    # When one request sends a new customer with a city, and her with only a new first name
    body = [{"external_id": "A1", "city": "Paris"}, {"external_id": "B1", "first_name": "Bérénice"}]
    assert _post(api, "/customers/bulk", body).status_code == 200
    # Then her city is kept, and the new customer has his
    stored = dict(Customer.objects.filter(organization=org).values_list("external_id", "city"))
    assert stored == {"A1": "Paris", "B1": "Brest"}
    assert Customer.objects.get(external_id="B1").first_name == "Bérénice"
