"""A method the API does not take answers the API's JSON, not the bare text django-ninja gives."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from ecoute.lib.error_views import API_PATH


class ApiMethodNotAllowedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code != 405
            or not request.path.startswith(API_PATH)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        allowed = ", ".join(sorted(method for method in response.get("Allow", "").split(", ") if method))
        detail = _("The method %(method)s is not allowed at this address: %(allowed)s.") % {
            "method": request.method,
            "allowed": allowed,
        }
        answer = JsonResponse({"detail": detail, "problems": []}, status=405)
        answer["Allow"] = allowed
        return answer
