"""A method the API does not take, and an empty list of records, get JSON answers meant for an API client."""

import pytest
from django.test import Client

from tests.api.conftest import post


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("delete", "/api/v1/customers", "GET"),
        ("put", "/api/v1/customers/bulk", "GET, POST"),
        ("post", "/api/v1/customers", "GET"),
        ("patch", "/api/v1/consents", "POST"),
    ],
)
def test_a_method_the_api_does_not_take_answers_405_in_json(
    api: Client, method: str, path: str, allowed: str
) -> None:
    # When a client uses a method the address does not take
    response = getattr(api, method)(path, "[]", content_type="application/json", HTTP_ACCEPT_LANGUAGE="fr")

    # Then the answer is JSON, in its language, naming the methods it takes, as the Allow header does
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert sorted(response["Allow"].split(", ")) == sorted(allowed.split(", "))
    assert response.json() == {
        "detail": f"La méthode {method.upper()} n’est pas acceptée à cette adresse\xa0: {allowed}.",
        "problems": [],
    }


@pytest.mark.parametrize("path", ["/customers/bulk", "/transactions/bulk", "/consents"])
def test_an_empty_list_of_records_writes_nothing_and_says_so(api: Client, path: str) -> None:
    # When a client sends an empty batch, as a synchronisation with nothing new does
    response = post(api, path, [], HTTP_ACCEPT_LANGUAGE="en")

    # Then nothing is written, and the answer is not a file import's missing-column message
    assert response.status_code == 200, response.content
    assert response.json() == {"received": 0, "written": 0, "duplicates": 0}
