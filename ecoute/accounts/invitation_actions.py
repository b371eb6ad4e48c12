"""Inviting people into an organization: they join only when they accept the e-mailed link.

The owner's answer is the same whether or not the address has an account; the link's token is stored
hashed, expires, and stops working when the invitation is sent again, cancelled or accepted — or when
the member who sent it may no longer give its role.
"""

from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecoute.accounts.actions import MembershipError, ensure_may_manage_members_of, join
from ecoute.accounts.emails import send_account_email
from ecoute.accounts.models import Invitation, Membership, Organization, Role, User
from ecoute.lib.tokens import token_digest


@transaction.atomic
def invite(organization: Organization, email: str, role: str, *, by: Membership) -> tuple[Invitation, str]:
    """Invite `email` to `role`; returns the invitation and its token, which is stored nowhere."""
    ensure_may_manage_members_of(by, organization.pk)
    if not by.may_grant(role):
        raise MembershipError(_("Only an owner may make someone an owner."))
    email = User.objects.normalize_email(email)
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise MembershipError(
            _("%(email)s is already a member: change their role in the list.") % {"email": email}
        )
    already = MembershipError(
        _("%(email)s is invited already: send the invitation again or cancel it in the list.")
        % {"email": email}
    )
    if Invitation.objects.filter(organization=organization, email__iexact=email).exists():
        raise already
    invitation = Invitation(organization=organization, email=email, role=role, invited_by=by.user)
    token = invitation.renew_token()
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError as error:  # the same address invited at the same moment
        raise already from error
    return invitation, token


@transaction.atomic
def resend_invitation(invitation: Invitation, *, by: Membership) -> str:
    """A new link (the old one stops working), sent on behalf of `by`; returns its token."""
    _ensure_may_handle(invitation, by)
    invitation.invited_by = by.user
    token = invitation.renew_token()
    invitation.save(update_fields=["invited_by", "token_hash", "sent_at", "expires_at"])
    return token


@transaction.atomic
def cancel_invitation(invitation: Invitation, *, by: Membership) -> None:
    _ensure_may_handle(invitation, by)
    invitation.delete()


def send_invitation(invitation: Invitation, token: str, base_url: str) -> None:
    """E-mail the link, in the organization's language, or the person's own when they have an account.

    Raises OSError (smtplib's errors among them) when the mail server cannot take the message.
    """
    organization = invitation.organization
    account = User.objects.filter(email__iexact=invitation.email).first()
    inviter = invitation.invited_by
    context = {
        "organization": organization,
        "inviter": (inviter.get_full_name() or inviter.email) if inviter else organization.name,
        "role": Role(invitation.role).label,
        "base_url": base_url,
        "token": token,
        "expires_at": invitation.expires_at,
    }
    with timezone.override(ZoneInfo(organization.time_zone)):
        language = (account.language if account else "") or organization.language
        send_account_email("invitation", invitation.email, language, context)


def find_invitation(token: str) -> Invitation | None:
    """The invitation of a link that still works: not expired, and its sender may still give its role."""
    invitation = (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(token_hash=token_digest(token), expires_at__gt=timezone.now())
        .first()
    )
    if invitation is None or not _sender_may_still_grant(invitation):
        return None
    return invitation


@transaction.atomic
def accept_invitation(token: str, user: User) -> Membership:
    """`user`, logged in with the invited address, joins the organization with the invitation's role."""
    invitation = _locked(token)
    if invitation.email.lower() != user.email.lower():
        raise MembershipError(_("This invitation is for another e-mail address."))
    membership = Membership.objects.filter(organization=invitation.organization, user=user).first()
    if membership is None:
        membership = join(user, invitation.organization, invitation.role)
    user.current_organization = invitation.organization
    user.save(update_fields=["current_organization"])
    invitation.delete()
    return membership


@transaction.atomic
def accept_invitation_with_password(
    token: str, password: str, first_name: str = "", last_name: str = ""
) -> User:
    """A person without a password yet chooses one with the link (which proves the address is theirs)
    and joins; someone who has a password logs in instead."""
    invitation = _locked(token)
    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is None:
        user = User.objects.create_user(
            invitation.email, password, first_name=first_name, last_name=last_name
        )
    elif user.has_usable_password() or not user.is_active:
        raise MembershipError(_("This address has an account: log in to accept the invitation."))
    else:
        user.set_password(password)
        user.first_name, user.last_name = user.first_name or first_name, user.last_name or last_name
        user.save(update_fields=["password", "first_name", "last_name"])
    accept_invitation(token, user)
    return user


def _locked(token: str) -> Invitation:
    """The invitation of `token`, locked until the end of the transaction, if it still works."""
    invitation = find_invitation(token)
    if invitation is None or not Invitation.objects.select_for_update().filter(pk=invitation.pk).exists():
        raise MembershipError(_("This invitation no longer works."))
    return invitation


def _sender_may_still_grant(invitation: Invitation) -> bool:
    if invitation.invited_by_id is None:  # the account was deleted
        return False
    sender = Membership.objects.filter(
        organization_id=invitation.organization_id, user_id=invitation.invited_by_id, user__is_active=True
    ).first()
    return sender is not None and sender.may_grant(invitation.role)


def _ensure_may_handle(invitation: Invitation, by: Membership) -> None:
    ensure_may_manage_members_of(by, invitation.organization_id)
    if not by.may_grant(invitation.role):
        raise MembershipError(_("Only an owner may make someone an owner."))
