"""The public API under /api/v1/: each app contributes a router."""

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from ecoute.accounts.api_auth import ApiKeyAuth, ApiRateLimitError
from ecoute.customers.api import router as customers_router

api = NinjaAPI(
    title="Écoute API",
    version="1",
    description="Customers, transactions and consents of one organization, authenticated by its API key.",
    auth=ApiKeyAuth(),
    urls_namespace="api",
)
api.add_router("/", customers_router)


@api.exception_handler(RequestDataTooBig)
def request_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return api.create_response(request, {"detail": "The request body is too large."}, status=413)


@api.exception_handler(ApiRateLimitError)
def rate_limited(request: HttpRequest, exc: ApiRateLimitError) -> HttpResponse:
    response = api.create_response(request, {"detail": exc.message}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response
