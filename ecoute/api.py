"""The public API under /api/v1/: each app contributes a router."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from ecoute.customers.api import router as customers_router
from ecoute.lib.api_auth import ApiKeyAuth

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


@api.exception_handler(TooManyFieldsSent)
def too_many_fields(request: HttpRequest, exc: TooManyFieldsSent) -> HttpResponse:
    detail = f"The request sends more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} parameters."
    return api.create_response(request, {"detail": detail}, status=400)
