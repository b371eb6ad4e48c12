from typing import Any

from django.http import HttpRequest

from ecoute.accounts.models import ROLE_PERMISSIONS, Membership


def organization(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}
    return {
        "organization": membership.organization,
        "membership": membership,
        "membership_permissions": ROLE_PERMISSIONS[membership.role],
        "memberships": Membership.objects.filter(user_id=membership.user_id).select_related("organization"),
    }
