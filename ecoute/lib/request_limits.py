"""Refuse bodies over the limit before anything reads them (CSRF reads a form's whole body), and
addresses that no page can have before any view puts a part of them in a query."""

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from ecoute.lib.api_values import CONTROL_CHARACTERS


class BodySizeLimitMiddleware:
    """413 when Content-Length is over the largest body any page accepts (the import upload's)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if CONTROL_CHARACTERS.search(request.path_info):
            # A NUL in a slug or a token (%00) would reach PostgreSQL, which refuses it: no such page.
            raise Http404
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse(_("Invalid Content-Length."), status=400, content_type="text/plain")
        limit = settings.IMPORT_MAX_FILE_SIZE + 1024 * 1024  # the file and the form around it
        if length > limit:
            message = _("The request is larger than the limit of %(limit)s.") % {
                "limit": filesizeformat(limit)
            }
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
