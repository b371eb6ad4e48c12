"""The public API under /api/v1/: each app contributes a router.

Every refusal has one form, `{"detail": …, "problems": [{row, field, value, code, message}]}`, in the
language of Accept-Language or else the organization's: 400 for values the importer refuses, 422 for
a request whose shape is not the schema's, 413 for one too large, never 500 for what a client sends.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError, ValidationErrorContext

from ecoute.accounts.api_auth import ApiKeyAuth, ApiRateLimitError
from ecoute.api_docs import OfflineSwagger
from ecoute.customers.api import router as customers_router
from ecoute.customers.api_problems import (
    INVALID_REQUEST,
    TOO_MANY_RECORDS,
    in_api_language,
    is_too_many_records,
    problems_from_schema,
)
from ecoute.customers.api_schemas import MAX_RECORDS
from ecoute.lib.quantities import grouped
from ecoute.listening.api import router as listening_router


class EcouteApi(NinjaAPI):
    def validation_error_from_error_contexts(self, error_contexts: list[ValidationErrorContext[Any]]) -> Any:
        """ninja's errors, with each refused value kept (as text) to be named in the answer."""
        errors = []
        for context in error_contexts:
            model = context.model
            for error in context.pydantic_validation_error.errors(include_url=False):
                loc = model.__ninja_flatten_map_reverse__.get(error["loc"], error["loc"])
                errors.append(
                    {
                        "type": error["type"],
                        "loc": (
                            model.__ninja_param_source__,
                            *model.__ninja_flatten_map_reverse__.get(loc, loc),
                        ),
                        "input": error.get("input"),
                        "ctx": {k: str(v) for k, v in (error.get("ctx") or {}).items()},
                    }
                )
        return ValidationError(errors)


api = EcouteApi(
    title="Écoute API",
    version="1",
    description=(
        "Customers, transactions and consents of one organization, its surveys, the invitations to them "
        "and their responses, authenticated by its API key: "
        "`Authorization: Bearer ek_…`. Records are validated like an import file and written all or "
        "none; refusals name the record (row, from 1), the field, the value and the reason, in the "
        "language of `Accept-Language`, or else the organization's."
    ),
    auth=ApiKeyAuth(),
    urls_namespace="api",
    docs=OfflineSwagger(),
)
api.add_router("/", customers_router)
api.add_router("/", listening_router)


@api.exception_handler(ValidationError)
def refuse_invalid_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    with in_api_language(request):
        if is_too_many_records(exc.errors):
            detail = str(TOO_MANY_RECORDS) % {"count": grouped(MAX_RECORDS)}
            return api.create_response(request, {"detail": detail, "problems": []}, status=413)
        body = {"detail": str(INVALID_REQUEST), "problems": problems_from_schema(exc.errors)}
        return api.create_response(request, body, status=422)


@api.exception_handler(HttpError)
def refuse_unreadable_request(request: HttpRequest, exc: HttpError) -> HttpResponse:
    with in_api_language(request):
        detail = _("The request body is not valid JSON.") if exc.status_code == 400 else str(exc)
        return api.create_response(request, {"detail": detail, "problems": []}, status=exc.status_code)


@api.exception_handler(AuthenticationError)
def refuse_without_key(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    with in_api_language(request):
        detail = _("A valid API key is required: Authorization: Bearer ek_…")
        response = api.create_response(request, {"detail": detail, "problems": []}, status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    with in_api_language(request):
        return api.create_response(request, {"detail": _("Not found."), "problems": []}, status=404)


@api.exception_handler(RequestDataTooBig)
def request_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    with in_api_language(request):
        detail = _("The request body is too large.")
        return api.create_response(request, {"detail": detail, "problems": []}, status=413)


@api.exception_handler(ApiRateLimitError)
def rate_limited(request: HttpRequest, exc: ApiRateLimitError) -> HttpResponse:
    response = api.create_response(request, {"detail": exc.message, "problems": []}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(TooManyFieldsSent)
def too_many_fields(request: HttpRequest, exc: TooManyFieldsSent) -> HttpResponse:
    with in_api_language(request):
        detail = _("The request sends more than %(count)s parameters.") % {
            "count": grouped(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)
        }
        return api.create_response(request, {"detail": detail, "problems": []}, status=400)
