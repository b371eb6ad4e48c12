"""The API documentation page works offline under the site's Content-Security-Policy."""

import pytest
from playwright.sync_api import Page, Route, expect
from pytest_django.live_server_helper import LiveServer

from tests.chromium import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_page_lists_the_operations_without_any_outside_request(
    page: Page, live_server: LiveServer
) -> None:
    # Given a browser that may reach nothing but Écoute
    outside: list[str] = []

    def only_ecoute(route: Route) -> None:
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_ecoute)

    # When a developer opens the documentation, without logging in or any API key
    response = page.goto(f"{live_server.url}/api/v1/docs")

    # Then the page, served under a CSP that allows no inline script, shows every operation
    assert response is not None
    csp = response.headers["content-security-policy"]
    assert "unsafe-inline" not in csp
    assert "script-src 'self'" in csp
    expect(page.get_by_text("Create or update customers by CRM id")).to_be_visible()
    expect(page.locator(".opblock")).to_have_count(9)  # customers 5, surveys 2, invitations, responses
    expect(page.locator(".opblock-summary-path").first).to_contain_text("/api/v1/")
    screenshot(page, "api-docs")
    # And it asked nothing of the outside world (the page fixture checks the console has no error)
    assert outside == []


def test_each_kind_of_record_is_documented_field_by_field(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/api/v1/docs")
    consent = page.locator(
        ".json-schema-2020-12-head", has=page.get_by_role("button", name="ConsentIn", exact=True)
    )
    consent.get_by_role("button", name="Expand all").click()
    expect(page.get_by_text("Whether the customer gave (true) or withdrew (false) consent.")).to_be_visible()


def test_inviting_customers_is_documented_with_examples(page: Page, live_server: LiveServer) -> None:
    # Given the documentation page
    page.goto(f"{live_server.url}/api/v1/docs")

    # When a developer opens the operation that invites customers
    page.get_by_text("Invite customers to a survey").click()

    # Then its rules, an example request and an example answer are shown
    operation = page.locator(".opblock", has=page.get_by_text("Invite customers to a survey"))
    expect(operation.get_by_text("checks consent and contact pressure again", exact=False)).to_be_visible()
    expect(operation.locator(".body-param__example, .example").first).to_contain_text("C-1042")
    expect(operation.locator(".responses-wrapper")).to_contain_text("helene.lefevre@example.fr")
    screenshot(page, "api-docs-invitations")
