"""Log in and out, switch organization and language, manage API keys."""

import logging
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecoute.accounts.decorators import member_required
from ecoute.accounts.forms import ApiKeyForm, LoginForm
from ecoute.accounts.login_limits import client_address, remember_login
from ecoute.accounts.models import ApiKey, LoginLink, Membership, Organization, User
from ecoute.lib.tenancy import current_organization, get_for_org_or_404
from ecoute.lib.tokens import token_digest

logger = logging.getLogger(__name__)


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _with_language_cookie(response: HttpResponse, language: str) -> HttpResponse:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
    return response


def log_in(request: HttpRequest, user: User, fallback: str | None = None) -> HttpResponse:
    """Open a session for `user`, whom a password or a link proved, and go where they were going."""
    auth_login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    response = redirect(_safe_next(request, fallback or reverse(settings.LOGIN_REDIRECT_URL)))
    if user.language:
        translation.activate(user.language)
        _with_language_cookie(response, user.language)
    return response


def login(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid() and form.user is not None:
        return log_in(request, form.user)
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


def login_link(request: HttpRequest, token: str) -> HttpResponse:
    """Log in with a link e-mailed to an account under attack; a GET only asks to confirm, since mail
    scanners open links."""
    if request.method == "POST":
        user = LoginLink.use(token)
        if user is not None:
            remember_login(user, client_address(request))
            return log_in(request, user)
        link = None
    else:
        link = LoginLink.usable().filter(token_hash=token_digest(token)).select_related("user").first()
    status = 200 if link is not None else 404
    return render(request, "accounts/login_link.html", {"link": link}, status=status)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    next_url = _safe_next(request, "/")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseRedirect(next_url)
    if request.user.is_authenticated:
        request.user.language = language
        request.user.save(update_fields=["language"])
    return _with_language_cookie(HttpResponseRedirect(next_url), language)


@require_POST
@member_required()
def switch_organization(request: HttpRequest) -> HttpResponse:
    slug = request.POST.get("organization", "")
    # Only an organization the person belongs to: anything else is 404.
    membership = get_object_or_404(Membership, user=request.user, organization__slug=slug)
    user = cast(User, request.user)
    user.current_organization = membership.organization
    user.save(update_fields=["current_organization"])
    return redirect(settings.LOGIN_REDIRECT_URL)


def no_organization(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/no_organization.html", status=403)


# The clear text of a key just created, kept in the session for the one page that shows it.
NEW_API_KEY_SESSION_KEY = "accounts:new_api_key"


def _pop_new_secret(request: HttpRequest, org: Organization) -> str | None:
    """The key created just before, once, and only on its own organization's page."""
    new = request.session.get(NEW_API_KEY_SESSION_KEY)
    if not isinstance(new, dict) or new.get("organization") != org.pk:
        return None
    del request.session[NEW_API_KEY_SESSION_KEY]
    return str(new["secret"])


@member_required("manage_api_keys")
def api_keys(request: HttpRequest) -> HttpResponse:
    org = current_organization(request)
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _key, secret = ApiKey.issue(org, form.cleaned_data["name"], created_by=request.user)  # type: ignore[arg-type]
        # Redirect so that reloading the page shows the key rather than creating another one.
        request.session[NEW_API_KEY_SESSION_KEY] = {"organization": org.pk, "secret": secret}
        return redirect("accounts:api_keys")
    new_secret = _pop_new_secret(request, org) if request.method == "GET" else None
    keys = ApiKey.objects.filter(organization=org)
    response = render(
        request, "accounts/api_keys.html", {"form": form, "keys": keys, "new_secret": new_secret}
    )
    if new_secret:
        response["Cache-Control"] = "no-store"
    return response


@require_POST
@member_required("manage_api_keys")
def api_key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    key = get_for_org_or_404(ApiKey, current_organization(request), pk=key_id)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        messages.success(request, _("The key “%(name)s” is revoked.") % {"name": key.name})
    return redirect("accounts:api_keys")
