"""Operations on organizations and their members.

Who may do what is checked here, not only in forms: `by` is the membership of the person acting.
Owners and admins manage members; only owners make, change or remove owners; an organization
keeps at least one owner.
"""

from typing import Literal

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ecoute.accounts.models import ROLE_PERMISSIONS, ApiKey, Membership, Organization, Role, User


class MembershipError(Exception):
    pass


class ApiKeysDecisionError(Exception):
    """The change would take from a member the right to the API keys they made: keep or revoke them?"""

    def __init__(self, keys: list[ApiKey]) -> None:
        super().__init__(keys)
        self.keys = keys


# What happens to the API keys of a member who loses the right to manage keys. None: ask first.
type KeysDecision = Literal["revoke", "keep"] | None


@transaction.atomic
def create_organization(
    slug: str, name: str, language: str = "fr", time_zone: str = "Europe/Paris"
) -> Organization:
    """A new organization, ready to listen: the shipped criteria and a contact policy come with it."""
    # Imported here: listening's models build on accounts', so accounts may not import them at load time.
    from ecoute.listening.actions import ensure_listening_defaults

    organization = Organization(slug=slug, name=name, language=language, time_zone=time_zone)
    organization.full_clean()
    organization.save()
    ensure_listening_defaults(organization)
    return organization


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
    """For the server's operator (the demo builder): give `email` a role in `organization` at once,
    creating the account when needed. Members invite people instead (`invitation_actions.invite`).

    Someone who is a member already keeps their role: changing it is `change_role`'s business.
    Returns the membership and whether the account is new.
    """
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise MembershipError(
            _("%(email)s is already a member: change their role in the list.") % {"email": email}
        )
    user, created = _account(email, password=password, first_name=first_name, last_name=last_name)
    return join(user, organization, role), created


@transaction.atomic
def give_role(
    organization: Organization, email: str, role: str, *, password: str | None = None
) -> tuple[Membership, bool, int]:
    """For the server's operator (the `user` command): give `email` `role` in `organization`.

    Creates the account or the membership when needed, else changes the role, keeping at least
    one owner and revoking the API keys the person may no longer manage. Returns the membership,
    whether the account is new, and how many keys were revoked.
    """
    user, created = _account(email, password=password)
    membership = Membership.objects.filter(user=user, organization=organization).first()
    if membership is None:
        return join(user, organization, role), created, 0
    _set_role(membership, role)
    return membership, created, _settle_api_keys(membership, role, by=None, decision="revoke")


@transaction.atomic
def change_role(
    membership: Membership, role: str, *, by: Membership, api_keys: KeysDecision = "revoke"
) -> int:
    """Give `membership` `role`. When it no longer manages API keys, their keys are revoked, or kept
    under `by`'s name with `api_keys="keep"`; None raises ApiKeysDecisionError when there are keys.
    Returns how many keys changed hands or were revoked."""
    _ensure_may_manage(by, membership)
    if not by.may_grant(role):
        raise MembershipError(_("Only an owner may make someone an owner."))
    _set_role(membership, role)
    return _settle_api_keys(membership, role, by=by, decision=api_keys)


@transaction.atomic
def remove_member(membership: Membership, *, by: Membership, api_keys: KeysDecision = "revoke") -> int:
    """Remove `membership`; their API keys are revoked or kept as with `change_role`."""
    _ensure_may_manage(by, membership)
    if membership.role == Role.OWNER:
        _ensure_another_owner(membership)
    settled = _settle_api_keys(membership, None, by=by, decision=api_keys)
    membership.delete()
    return settled


def revoke_api_keys_made_by(users: QuerySet[User]) -> int:
    """Before accounts are deleted: their keys would otherwise lose their maker and stand alone."""
    return ApiKey.objects.filter(created_by__in=users, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def api_keys_lost(membership: Membership, role: str | None) -> QuerySet[ApiKey]:
    """The active keys `membership`'s person made, which they would no longer manage with `role`
    (None: once removed)."""
    if role is not None and "manage_api_keys" in ROLE_PERMISSIONS[role]:
        return ApiKey.objects.none()
    return ApiKey.objects.filter(
        organization_id=membership.organization_id, created_by_id=membership.user_id, revoked_at__isnull=True
    )


def _settle_api_keys(
    membership: Membership, role: str | None, *, by: Membership | None, decision: KeysDecision
) -> int:
    keys = api_keys_lost(membership, role)
    if decision is None:
        if found := list(keys):
            raise ApiKeysDecisionError(found)
        return 0
    # Someone else who manages keys takes them on; nobody keeps keys for themselves on leaving.
    if decision == "keep" and by is not None and by.user_id != membership.user_id:
        return keys.update(created_by=by.user)
    return keys.update(revoked_at=timezone.now())


# The support admin's staff read organizations, people and customer data, and change nothing.
SUPPORT_GROUP = "Support"
SUPPORT_APPS = ("accounts", "customers")


@transaction.atomic
def give_admin_access(user: User, *, superuser: bool = False) -> None:
    """Open the support admin to `user`: read-only support staff, or a superuser when asked explicitly."""
    user.is_staff = True
    if superuser:
        user.is_superuser = True
    else:
        group, _created = Group.objects.get_or_create(name=SUPPORT_GROUP)
        group.permissions.set(
            Permission.objects.filter(codename__startswith="view_", content_type__app_label__in=SUPPORT_APPS)
        )
        user.groups.add(group)
    user.save(update_fields=["is_staff", "is_superuser"])


def _account(
    email: str, *, password: str | None = None, first_name: str = "", last_name: str = ""
) -> tuple[User, bool]:
    """The account of `email`, created when missing; with `password`, that is its password now."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return User.objects.create_user(email, password, first_name=first_name, last_name=last_name), True
    if password:
        user.set_password(password)
        user.save(update_fields=["password"])
    return user, False


def join(user: User, organization: Organization, role: str) -> Membership:
    membership = Membership.objects.create(user=user, organization=organization, role=role)
    if user.current_organization_id is None:
        user.current_organization = organization
        user.save(update_fields=["current_organization"])
    return membership


def _set_role(membership: Membership, role: str) -> None:
    if membership.role == Role.OWNER and role != Role.OWNER:
        _ensure_another_owner(membership)
    membership.role = role
    membership.save(update_fields=["role"])


def ensure_may_manage_members_of(by: Membership, organization_id: int) -> None:
    if by.organization_id != organization_id or not by.can("manage_members"):
        raise MembershipError(_("You may not manage the members of this organization."))


def _ensure_may_manage(by: Membership, membership: Membership) -> None:
    ensure_may_manage_members_of(by, membership.organization_id)
    if not by.may_manage(membership):
        raise MembershipError(_("Only an owner may change or remove an owner."))


def _ensure_another_owner(membership: Membership) -> None:
    others = Membership.objects.filter(organization=membership.organization, role=Role.OWNER).exclude(
        pk=membership.pk
    )
    if not others.select_for_update().exists():
        raise MembershipError(_("An organization keeps at least one owner."))
