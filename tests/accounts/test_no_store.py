"""Pages with personal data and API answers tell browsers and proxies to keep no copy."""

from collections.abc import Iterator

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ecoute.accounts.models import ApiKey, Membership, Organization
from tests.factories import CustomerFactory


def _plain_pages(resolver: URLResolver, namespace: str = "") -> Iterator[str]:
    """The names of the product's pages that take no parameter."""
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in {"admin", "api"}:
                continue
            yield from _plain_pages(entry, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
        elif isinstance(entry, URLPattern) and entry.name and not entry.pattern.converters:
            yield f"{namespace}{entry.name}"


def _forbids_storing(response: object) -> bool:
    return "no-store" in response.get("Cache-Control", "")  # type: ignore[attr-defined]


def test_every_page_a_logged_in_person_sees_forbids_storing_it(
    owner_client: Client, owner: Membership
) -> None:
    # Given a logged-in owner and a customer
    customer = CustomerFactory.create(organization=owner.organization)
    pages = [reverse(name) for name in _plain_pages(get_resolver())]
    pages.append(reverse("customers:customer_detail", args=[customer.pk]))
    assert len(pages) > 8
    # When they open every page of the product
    for url in pages:
        response = owner_client.get(url)
        # Then no answer may be stored, whatever its status
        assert _forbids_storing(response), f"{url}: {response.status_code} {response.get('Cache-Control')}"


def test_every_api_answer_forbids_storing_it(org: Organization) -> None:
    # Given an API key
    _key, secret = ApiKey.issue(org, "CRM")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    # When the API answers a list, a missing customer and a request without a key
    answers = [
        client.get("/api/v1/customers"),
        client.get("/api/v1/customers/nobody"),
        Client().get("/api/v1/customers"),
    ]
    # Then none may be stored
    assert [a.status_code for a in answers] == [200, 404, 401]
    assert all(_forbids_storing(a) for a in answers)


def test_the_support_admin_forbids_storing_its_pages(owner: Membership) -> None:
    # Given a superuser
    owner.user.is_staff = owner.user.is_superuser = True
    owner.user.save()
    client = Client()
    client.force_login(owner.user)
    # When they open the list of people
    response = client.get("/admin/accounts/user/")
    # Then it may not be stored
    assert response.status_code == 200
    assert _forbids_storing(response)
