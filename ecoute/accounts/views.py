"""Log in and out, switch organization and language."""

from typing import cast

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ecoute.accounts.decorators import member_required
from ecoute.accounts.forms import LoginForm
from ecoute.accounts.login_limits import client_network_address, remember_login
from ecoute.accounts.models import LoginLink, Membership, User
from ecoute.lib.tokens import token_digest


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


def log_in(request: HttpRequest, user: User) -> HttpResponse:
    """Open a session for `user`, whom a password or a link proved, and go where they were going."""
    auth_login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    response = redirect(_safe_next(request, reverse(settings.LOGIN_REDIRECT_URL)))
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
            remember_login(user, client_network_address(request))
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
