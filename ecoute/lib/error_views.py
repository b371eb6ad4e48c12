"""The product's error pages, in the reader's language, in place of Django's bare ones.

A request Django refuses before any view runs (too many fields, too large a body, a bad host) says what
was wrong and what the limit is; a page not found, forbidden, refused for its CSRF token or failed on
a fault of ours says so and offers a way back. Under the API's path the answer is the API's JSON.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from ecoute.lib.quantities import grouped

API_PATH = "/api/"


def api_refusal(detail: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": detail, "problems": []}, status=status)


def error_page(request: HttpRequest, template: str, context: dict[str, str], status: int) -> HttpResponse:
    try:
        return render(request, template, context, status=status)
    # The page itself failed (a broken database under the header's menu): say it plainly.
    except Exception:
        message = context.get("message", "")
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(API_PATH):
        return api_refusal(_("Not found."), 404)
    return error_page(request, "404.html", {}, 404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(API_PATH):
        return api_refusal(_("Forbidden."), 403)
    message = _("Your role in this organization does not allow this page. Ask an owner if you need it.")
    return error_page(request, "403.html", {"message": message}, 403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    message = _(
        "The form was sent without the token that proves it came from this site: the page was open too "
        "long, or cookies are blocked. Reload the page and try again."
    )
    return error_page(request, "403.html", {"message": message}, 403)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PATH):
        return api_refusal(_("Server error: the request was not completed."), 500)
    # Without the request's context: what failed may be the database or a context processor.
    try:
        return HttpResponse(loader.render_to_string("500.html"), status=500)
    except Exception:
        message = _("Server error: the request was not completed.")
        return HttpResponse(message, status=500, content_type="text/plain; charset=utf-8")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    status = 400
    if isinstance(exception, TooManyFieldsSent):
        message = _(
            "The form sent more than %(limit)s fields, the most a page accepts. If it is a file's column "
            "mapping, the file has too many columns: delete those you do not need."
        ) % {"limit": grouped(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)}
    elif isinstance(exception, TooManyFilesSent):
        message = _("The form sent more than %(limit)s files.") % {
            "limit": grouped(settings.DATA_UPLOAD_MAX_NUMBER_FILES)
        }
    elif isinstance(exception, RequestDataTooBig):
        status = 413
        message = _("The form sent more than %(limit)s of data.") % {
            "limit": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        }
    elif request.path.startswith(API_PATH):
        message = _("The request could not be understood.")
    else:
        message = _("The request could not be understood. Go back and try again.")
    if request.path.startswith(API_PATH):
        return api_refusal(message, status)
    try:
        return render(request, "400.html", {"message": message}, status=status)
    # A request refused for its host cannot be rendered with the site's pages: say it plainly.
    except Exception:
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
