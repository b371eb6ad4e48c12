"""The roles of members and what each may do."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Administrator")
    ANALYST = "analyst", _("Analyst")
    AGENT = "agent", _("Agent")
    VIEWER = "viewer", _("Viewer")


# What each role may do. Views and API endpoints ask `membership.can(permission)`.
# Owners and admins both manage members, but only owners make, change or remove owners
# (see `Membership.may_grant` and `may_manage`). Agents will see the customers behind the cases
# assigned to them once cases exist; until then they see the overview only, like viewers.
# Analysts and above build surveys and edit the criteria (`manage_surveys`); everyone sees results.
# `manage_contacts` switches a customer's do-not-contact; `manage_retention` sets when customers count
# as lost or at risk. `manage_campaigns` builds and launches reactivation campaigns; `work_calls` lets
# agents work a campaign's call list.
_ANALYST = frozenset(
    {
        "import",
        "view_customers",
        "manage_contacts",
        "manage_surveys",
        "manage_retention",
        "manage_campaigns",
        "work_calls",
        "view_results",
    }
)
_MANAGER = _ANALYST | {"manage_members", "manage_api_keys"}
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OWNER: _MANAGER,
    Role.ADMIN: _MANAGER,
    Role.ANALYST: _ANALYST,
    Role.AGENT: frozenset({"view_results", "work_calls"}),
    Role.VIEWER: frozenset({"view_results"}),
}


def roles_with(permission: str) -> list[str]:
    return [role for role, permissions in ROLE_PERMISSIONS.items() if permission in permissions]
