"""Log in and out, switch organization and language, manage members and API keys."""

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

from ecoute.accounts.actions import MembershipError, add_member, change_role, invite_member, remove_member
from ecoute.accounts.decorators import member_required
from ecoute.accounts.forms import ApiKeyForm, LoginForm, MemberAddForm, MemberRoleForm
from ecoute.accounts.models import ApiKey, Membership, Organization, User
from ecoute.lib.tenancy import get_for_org_or_404


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


def login(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid() and form.user is not None:
        auth_login(request, form.user)
        response = redirect(_safe_next(request, reverse(settings.LOGIN_REDIRECT_URL)))
        if form.user.language:
            translation.activate(form.user.language)
            _with_language_cookie(response, form.user.language)
        return response
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


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


@member_required("manage_members")
def members(request: HttpRequest) -> HttpResponse:
    org: Organization = request.organization  # type: ignore[attr-defined]
    form = MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        membership, created = add_member(
            org,
            form.cleaned_data["email"],
            form.cleaned_data["role"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
        )
        if created:
            invite_member(request, membership)
            messages.success(
                request, _("%(email)s was invited by e-mail.") % {"email": membership.user.email}
            )
        else:
            messages.success(request, _("%(email)s is now a member.") % {"email": membership.user.email})
        return redirect("accounts:members")
    memberships = Membership.objects.filter(organization=org).select_related("user").order_by("user__email")
    return render(
        request,
        "accounts/members.html",
        {"form": form, "memberships": memberships, "role_form": MemberRoleForm()},
    )


@require_POST
@member_required("manage_members")
def member_update(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = get_for_org_or_404(Membership, request.organization, pk=membership_id)  # type: ignore[attr-defined]
    form = MemberRoleForm(request.POST)
    try:
        if request.POST.get("remove"):
            remove_member(membership)
            messages.success(request, _("%(email)s was removed.") % {"email": membership.user.email})
        elif form.is_valid():
            change_role(membership, form.cleaned_data["role"])
            messages.success(request, _("Role changed."))
    except MembershipError as error:
        messages.error(request, str(error))
    return redirect("accounts:members")


@member_required("manage_api_keys")
def api_keys(request: HttpRequest) -> HttpResponse:
    org: Organization = request.organization  # type: ignore[attr-defined]
    form = ApiKeyForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        _key, new_secret = ApiKey.issue(org, form.cleaned_data["name"], created_by=request.user)  # type: ignore[arg-type]
        form = ApiKeyForm()
    keys = ApiKey.objects.filter(organization=org)
    return render(request, "accounts/api_keys.html", {"form": form, "keys": keys, "new_secret": new_secret})


@require_POST
@member_required("manage_api_keys")
def api_key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    key = get_for_org_or_404(ApiKey, request.organization, pk=key_id)  # type: ignore[attr-defined]
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        messages.success(request, _("The key “%(name)s” is revoked.") % {"name": key.name})
    return redirect("accounts:api_keys")
