"""The members of an organization, the people invited to it, and accepting an invitation."""

import logging

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecoute.accounts.actions import (
    ApiKeysDecisionError,
    KeysDecision,
    MembershipError,
    change_role,
    remove_member,
)
from ecoute.accounts.decorators import member_required
from ecoute.accounts.emails import site_url
from ecoute.accounts.forms import InvitationAcceptForm, MemberAddForm, MemberRoleForm
from ecoute.accounts.invitation_actions import (
    accept_invitation,
    accept_invitation_with_password,
    cancel_invitation,
    find_invitation,
    invite,
    resend_invitation,
    send_invitation,
)
from ecoute.accounts.models import Invitation, Membership, User
from ecoute.accounts.tenancy import current_organization, get_for_org_or_404
from ecoute.accounts.views import log_in

logger = logging.getLogger(__name__)

# The owner's answer about the API keys of a member who loses them; none yet: ask.
KEYS_DECISIONS: dict[str, KeysDecision] = {"revoke": "revoke", "keep": "keep"}


def _acting(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


def _send(request: HttpRequest, invitation: Invitation, token: str) -> bool:
    """E-mail the invitation; when the mail server fails, say so and carry on."""
    try:
        send_invitation(invitation, token, site_url(request))
    except OSError as error:  # smtplib's errors are OSErrors too
        logger.warning("Invitation to %s not sent: %r", invitation.email, error)
        messages.error(
            request,
            _("The invitation to %(email)s could not be sent. Try again later with “Send again”.")
            % {"email": invitation.email},
        )
        return False
    return True


@member_required("manage_members")
def members(request: HttpRequest) -> HttpResponse:
    org = current_organization(request)
    acting = _acting(request)
    form = MemberAddForm(request.POST or None, by=acting)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, token = invite(org, form.cleaned_data["email"], form.cleaned_data["role"], by=acting)
        except MembershipError as error:
            form.add_error(None, str(error))
        else:
            # The same answer whether or not the address has an account: nobody joins before accepting.
            if _send(request, invitation, token):
                messages.success(
                    request, _("An invitation was sent to %(email)s.") % {"email": invitation.email}
                )
            return redirect("accounts:members")
    memberships = Membership.objects.filter(organization=org).select_related("user").order_by("user__email")
    invitations = Invitation.objects.filter(organization=org)
    return render(
        request,
        "accounts/members.html",
        {
            "form": form,
            "rows": [(m, acting.may_manage(m)) for m in memberships],
            "invitations": [(i, acting.may_grant(i.role)) for i in invitations],
            "grantable_roles": acting.grantable_roles(),
        },
    )


@require_POST
@member_required("manage_members")
def member_update(request: HttpRequest, membership_id: int) -> HttpResponse:
    """Change a member's role or remove them. When they would lose the API keys they made, the page
    lists the keys and asks whether to revoke them or keep them (under the name of the person acting)."""
    membership = get_for_org_or_404(Membership, current_organization(request), pk=membership_id)
    acting = _acting(request)
    form = MemberRoleForm(request.POST)
    api_keys = KEYS_DECISIONS.get(request.POST.get("api_keys", ""))
    removing = bool(request.POST.get("remove"))
    try:
        if removing:
            remove_member(membership, by=acting, api_keys=api_keys)
            messages.success(request, _("%(email)s was removed.") % {"email": membership.user.email})
        elif form.is_valid():
            change_role(membership, form.cleaned_data["role"], by=acting, api_keys=api_keys)
            messages.success(request, _("Role changed."))
        else:
            messages.error(request, _("Choose one of the roles."))
    except ApiKeysDecisionError as question:
        context = {
            "member": membership,
            "keys": question.keys,
            "removing": removing,
            "role": form.cleaned_data.get("role") if not removing else None,
            "may_keep": membership.user_id != acting.user_id,
        }
        return render(request, "accounts/member_api_keys.html", context)
    except MembershipError as error:
        messages.error(request, str(error))
    return redirect("accounts:members")


@require_POST
@member_required("manage_members")
def invitation_resend(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_for_org_or_404(Invitation, current_organization(request), pk=invitation_id)
    try:
        token = resend_invitation(invitation, by=_acting(request))
    except MembershipError as error:
        messages.error(request, str(error))
    else:
        if _send(request, invitation, token):
            messages.success(
                request, _("The invitation was sent again to %(email)s.") % {"email": invitation.email}
            )
    return redirect("accounts:members")


@require_POST
@member_required("manage_members")
def invitation_cancel(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_for_org_or_404(Invitation, current_organization(request), pk=invitation_id)
    try:
        cancel_invitation(invitation, by=_acting(request))
    except MembershipError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The invitation to %(email)s is cancelled.") % {"email": invitation.email}
        )
    return redirect("accounts:members")


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The page of an invitation's link: log in or choose a password, then accept."""
    invitation = find_invitation(token)
    if invitation is None:
        return render(request, "accounts/invitation_accept.html", {"invitation": None}, status=404)
    user = request.user if request.user.is_authenticated else None
    account = User.objects.filter(email__iexact=invitation.email).first()
    needs_password = user is None and (account is None or not account.has_usable_password())
    posted = request.POST if request.method == "POST" and needs_password else None
    form = InvitationAcceptForm(posted, email=invitation.email)
    error = None
    if request.method == "POST" and ((needs_password and form.is_valid()) or user is not None):
        try:
            if user is not None:
                accept_invitation(token, user)
                return redirect(settings.LOGIN_REDIRECT_URL)
            data = form.cleaned_data
            person = accept_invitation_with_password(
                token, data["password1"], data["first_name"], data["last_name"]
            )
            return log_in(request, person)
        except MembershipError as refusal:
            error = str(refusal)
    context = {
        "invitation": invitation,
        "form": form if needs_password else None,
        "error": error,
        "login_url": f"{reverse('accounts:login')}?next={request.path}",
        "for_someone_else": user is not None and user.email.lower() != invitation.email.lower(),
    }
    return render(request, "accounts/invitation_accept.html", context)
