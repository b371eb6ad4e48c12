"""A method an address does not take answers the product's page, or the API's JSON under the API.

Django's `require_POST` and django-ninja answer 405 with an empty page or bare text: a person who
opens a button's address (log out, revoke a key) by typing it or from the history sees nothing.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from ecoute.lib.error_views import API_PATH, api_refusal, error_page


class MethodNotAllowedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or response.get("Content-Type", "").startswith("application/json"):
            return response
        allowed = ", ".join(sorted(method for method in response.get("Allow", "").split(", ") if method))
        if request.path.startswith(API_PATH):
            detail = _("The method %(method)s is not allowed at this address: %(allowed)s.") % {
                "method": request.method,
                "allowed": allowed,
            }
            answer: HttpResponse = api_refusal(detail, 405)
        else:
            message = _(
                "This address is reached with a button of Écoute, not by opening it. Go back and use the "
                "button."
            )
            answer = error_page(request, "400.html", {"message": message}, 405)
        answer["Allow"] = allowed
        return answer
