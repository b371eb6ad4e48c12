"""The API's documentation page: Swagger UI from the vendored copy, under the site's strict CSP.

The page and its schema are public (they describe the API, they hold no data of any organization);
trying an operation asks for an API key, through the page's Authorize button.
"""

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI


class OfflineSwagger(DocsBase):
    def render_page(self, request: HttpRequest, api: "NinjaAPI", **kwargs: Any) -> HttpResponse:
        settings = {"url": self.get_openapi_url(api, kwargs), "deepLinking": True}
        return render(request, "api/docs.html", {"api": api, "swagger_settings": settings})
