"""Operations on organizations and their members."""

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from ecoute.accounts.models import Membership, Organization, Role, User


class MembershipError(Exception):
    pass


def create_organization(
    slug: str, name: str, language: str = "fr", time_zone: str = "Europe/Paris"
) -> Organization:
    return Organization.objects.create(slug=slug, name=name, language=language, time_zone=time_zone)


@transaction.atomic
def add_member(
    organization: Organization,
    email: str,
    role: str,
    *,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
) -> tuple[Membership, bool]:
    """Give `email` a role in `organization`, creating the account when needed.

    Returns the membership and whether the account is new (and so needs a password).
    """
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if user is None:
        user = User.objects.create_user(email, password, first_name=first_name, last_name=last_name)
    elif password:
        user.set_password(password)
        user.save(update_fields=["password"])
    membership, _created = Membership.objects.update_or_create(
        user=user, organization=organization, defaults={"role": role}
    )
    if user.current_organization_id is None:
        user.current_organization = organization
        user.save(update_fields=["current_organization"])
    return membership, created


def invite_member(request: HttpRequest, membership: Membership) -> None:
    """Send the new member an e-mail with a link to choose a password."""
    user = membership.user
    context = {
        "organization": membership.organization,
        "protocol": "https" if request.is_secure() else "http",
        "domain": request.get_host(),
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    subject = "".join(render_to_string("accounts/email/invitation_subject.txt", context).splitlines())
    body = render_to_string("accounts/email/invitation.txt", context)
    send_mail(subject, body, None, [user.email])


@transaction.atomic
def change_role(membership: Membership, role: str) -> None:
    if membership.role == Role.OWNER and role != Role.OWNER:
        _ensure_another_owner(membership)
    membership.role = role
    membership.save(update_fields=["role"])


@transaction.atomic
def remove_member(membership: Membership) -> None:
    if membership.role == Role.OWNER:
        _ensure_another_owner(membership)
    membership.delete()


def _ensure_another_owner(membership: Membership) -> None:
    others = Membership.objects.filter(organization=membership.organization, role=Role.OWNER).exclude(
        pk=membership.pk
    )
    if not others.select_for_update().exists():
        raise MembershipError(_("An organization keeps at least one owner."))
