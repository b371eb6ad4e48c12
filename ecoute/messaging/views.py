"""Pages of the outbox: the unsubscribe link of every e-mail, the do-not-contact switch of a customer."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from ecoute.accounts.decorators import member_required
from ecoute.accounts.login_limits import client_network
from ecoute.accounts.tenancy import current_organization, get_for_org_or_404
from ecoute.customers.models import Customer
from ecoute.lib.rate_limits import count_request
from ecoute.lib.tokens import token_digest
from ecoute.messaging.actions import message_of_unsubscribe_token, set_do_not_contact, withdraw_consent_from
from ecoute.messaging.models import Message


# The link's secret token is the protection here, as for a password reset link: a page elsewhere cannot
# know it. Mail providers post to it without any cookie or token (RFC 8058 one-click), hence no CSRF.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with a button; POST (the button, or a mail provider's one-click): the consent the
    message was sent under is withdrawn. Posting again changes nothing.

    Unknown tokens are counted per address, so that guessing is slowed; a good link is counted per
    link, so that a mail provider posting many customers' one-clicks from one address is never refused.
    """
    token = token[:200]
    message = message_of_unsubscribe_token(token)
    key = f"unknown:{client_network(request)}" if message is None else f"link:{token_digest(token)}"
    limit, window = settings.UNSUBSCRIBE_RATE_LIMIT, settings.UNSUBSCRIBE_RATE_WINDOW
    verdict = count_request("unsubscribe", key, limit=limit, window=window)
    if not verdict.allowed:
        response = render(request, "messaging/unsubscribe_limited.html", status=429)
        response["Retry-After"] = str(verdict.retry_after)
        return response
    if message is None:
        return render(request, "messaging/unsubscribe_unknown.html", status=404)
    with translation.override(_reader_language(message)):
        context = {"message": message, "organization": message.organization}
        if request.method == "POST":
            withdraw_consent_from(message)
            return render(request, "messaging/unsubscribe_done.html", context)
        return render(request, "messaging/unsubscribe.html", context)


def _reader_language(message: Message) -> str:
    """The language of the message, else of its customer, else of the organization."""
    customer_language = message.customer.language if message.customer else ""
    for language in (message.language, customer_language, message.organization.language):
        if (code := (language or "")[:2].lower()) in dict(settings.LANGUAGES):
            return code
    return settings.LANGUAGE_CODE


@require_POST
@member_required("manage_contacts")
def do_not_contact_switch(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = get_for_org_or_404(Customer, current_organization(request), pk=customer_id)
    on = request.POST.get("do_not_contact") == "on"
    if set_do_not_contact(customer, on, request.user):  # type: ignore[arg-type]
        if on:
            messages.success(request, _("This customer will no longer be contacted."))
        else:
            messages.success(request, _("This customer may be contacted again, as their consents allow."))
    return redirect("customers:customer_detail", customer_id=customer.pk)
