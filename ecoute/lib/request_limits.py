"""Refuse bodies over the limit before anything reads them (CSRF reads a form's whole body)."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


class BodySizeLimitMiddleware:
    """413 when Content-Length is over the largest body any page accepts (the import upload's)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
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
