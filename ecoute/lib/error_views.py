"""The page for a request Django refuses before any view runs: too many fields, too large a body, a bad host.

Django's own answer is a bare "Bad Request (400)"; this one is the product's page, in the reader's language,
saying what was wrong and what the limit is.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    status = 400
    if isinstance(exception, TooManyFieldsSent):
        message = _(
            "The form sent more than %(limit)s fields, the most a page accepts. If it is a file's column "
            "mapping, the file has too many columns: delete those you do not need."
        ) % {"limit": number_format(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS, force_grouping=True)}
    elif isinstance(exception, TooManyFilesSent):
        message = _("The form sent more than %(limit)s files.") % {
            "limit": number_format(settings.DATA_UPLOAD_MAX_NUMBER_FILES, force_grouping=True)
        }
    elif isinstance(exception, RequestDataTooBig):
        status = 413
        message = _("The form sent more than %(limit)s of data.") % {
            "limit": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        }
    else:
        message = _("The request could not be understood. Go back and try again.")
    try:
        return render(request, "400.html", {"message": message}, status=status)
    # A request refused for its host cannot be rendered with the site's pages: say it plainly.
    except Exception:
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
