"""Keep browsers and proxies from storing pages with personal data."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every answer Django renders (static files are served before).

    A logged-in person's pages and API answers always carry it, whatever the view set; another answer
    keeps a Cache-Control its view chose on purpose, and gets no-store otherwise.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        personal = request.user.is_authenticated or getattr(request, "auth", None) is not None
        if personal or not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
