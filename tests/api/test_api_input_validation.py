"""Every integer and string of a request is checked before the database sees it: the same answer on
SQLite and PostgreSQL, never a server error."""

from urllib.parse import quote

import pytest
from django.test import Client

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer
from tests.api.conftest import post
from tests.factories import CustomerFactory


@pytest.mark.parametrize(
    "query",
    [
        "offset=9223372036854775808",
        "offset=99999999999999999999999999",
        "offset=-1",
        "limit=9223372036854775808",
        "limit=0",
        "q=%00",
        "q=" + "x" * 201,
        "region=a%01b",
        "page=2",
    ],
)
def test_a_query_parameter_out_of_bounds_is_refused_with_422(api: Client, query: str) -> None:
    response = api.get(f"/api/v1/customers?{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    problem = response.json()["problems"][0]
    assert problem["row"] is None
    assert problem["field"] == query.partition("=")[0]


def test_the_last_page_far_away_is_empty_not_an_error(api: Client, org: Organization) -> None:
    CustomerFactory.create(organization=org)
    page = api.get("/api/v1/customers?offset=2147483647&limit=1000").json()
    assert page == {"count": 1, "results": []}


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("A\x00B", "control_character"),
        ("A\ud800B", "control_character"),
        ("A\x1bB", "control_character"),
        ("x" * 101, "too_long"),
        ("", "required"),
    ],
)
def test_a_crm_id_that_cannot_be_stored_alike_everywhere_is_refused(
    api: Client, org: Organization, value: str, code: str
) -> None:
    response = post(api, "/customers/bulk", [{"external_id": "OK"}, {"external_id": value}])
    assert response.status_code == 422
    problem = response.json()["problems"][0]
    assert (problem["row"], problem["field"], problem["code"]) == (2, "external_id", code)
    assert not Customer.objects.filter(organization=org).exists()


def test_control_characters_are_refused_in_every_text_field_and_attribute(
    api: Client, org: Organization
) -> None:
    body = [
        {"external_id": "C1", "city": "Nan\x00tes"},
        {"external_id": "C2", "attributes": {"tier": "go\x00ld"}},
        {"external_id": "C3", "attributes": {"ti\x00er": "gold"}},
        {"external_id": "C4", "tags": ["V\x00IP"]},
    ]
    response = post(api, "/customers/bulk", body)
    assert response.status_code == 422
    assert [(p["row"], p["code"]) for p in response.json()["problems"]] == [
        (1, "control_character"),
        (2, "control_character"),
        (3, "control_character"),
        (4, "control_character"),
    ]
    sales = [{"customer": "C\x00", "occurred_at": "2026-01-01", "amount": "1", "store": "a\x00"}]
    assert post(api, "/transactions/bulk", sales).status_code == 422


def test_numbers_json_cannot_hold_are_refused_without_a_server_error(api: Client) -> None:
    huge = '[{"customer": "C1", "occurred_at": "2026-01-01", "amount": 1' + "0" * 5000 + "}]"
    response = api.post("/api/v1/transactions/bulk", huge, content_type="application/json")
    assert response.status_code == 400
    for amount in ("NaN", "Infinity", "1e400"):
        body = '[{"customer": "C1", "occurred_at": "2026-01-01", "amount": ' + amount + "}]"
        response = api.post("/api/v1/transactions/bulk", body, content_type="application/json")
        assert response.status_code == 422, amount
        assert response.json()["problems"][0]["field"] == "amount"


def test_a_body_that_is_not_a_list_of_records_is_refused(api: Client) -> None:
    for body in ({"external_id": "C1"}, "C1", [["C1"]], None):
        assert post(api, "/customers/bulk", body).status_code == 422, body


def test_more_records_than_the_limit_answer_413(api: Client, org: Organization) -> None:
    response = post(api, "/consents", [{}] * 10_001)
    assert response.status_code == 413
    assert "10" in response.json()["detail"]


@pytest.mark.parametrize("crm_id", ["A/B", "a/b/c", "bulk", "50%", "x?y#z", " espace", "Ω/é", "..", "tab\tx"])
def test_every_crm_id_that_can_be_written_can_be_read_back(
    api: Client, org: Organization, crm_id: str
) -> None:
    # Given a customer written through the API with an id holding path or URL characters
    assert post(api, "/customers/bulk", [{"external_id": crm_id, "city": "Lyon"}]).status_code == 200
    stored = Customer.objects.get(organization=org).external_id
    # When it is read back with its id percent-encoded in the path
    response = api.get(f"/api/v1/customers/{quote(stored, safe='')}")
    # Then it is found
    assert response.status_code == 200, response.content
    assert response.json()["external_id"] == stored


@pytest.mark.parametrize("path", ["A%00B", "x" * 101, "%C3%28"])
def test_an_id_no_customer_can_have_answers_404(api: Client, org: Organization, path: str) -> None:
    assert api.get(f"/api/v1/customers/{path}").status_code == 404
