"""The product's URLs plus pages and an API operation that fail or refuse, to see the error pages."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from ecoute.urls import urlpatterns as product_urls


def failing_page(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def forbidden_page(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def refused_page(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a request that makes no sense")


urlpatterns = [
    path("refused/", refused_page),
    path("failing/", failing_page),
    path("forbidden/", forbidden_page),
    path("api/v1/failing", failing_page),
    *product_urls,
]

handler400 = "ecoute.lib.error_views.bad_request"
handler403 = "ecoute.lib.error_views.permission_denied"
handler404 = "ecoute.lib.error_views.page_not_found"
handler500 = "ecoute.lib.error_views.server_error"
