"""Organization scoping: every domain row belongs to one organization.

Every queryset that reaches a view goes through `for_org(org)`; an id from another
organization answers 404 (never 403), so ids never leak across tenants.
"""

from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

if TYPE_CHECKING:
    from ecoute.accounts.models import Organization


class OrgQuerySet[M: models.Model](models.QuerySet[M]):
    def for_org(self, org: "Organization") -> Self:
        return self.filter(organization=org)


class OrgOwned(models.Model):
    """Abstract base of every model that belongs to an organization."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")

    objects = OrgQuerySet.as_manager()

    class Meta:
        abstract = True


def current_organization(request: HttpRequest) -> "Organization":
    """The organization the request works in, set by CurrentOrganizationMiddleware (views) or by the API
    key (API); views reach it only through member_required, which guarantees there is one."""
    return request.organization  # type: ignore[attr-defined,no-any-return]


def get_for_org_or_404[M: models.Model](model: type[M], org: "Organization", **lookup: Any) -> M:
    """The object of `org` matching `lookup`, or Http404 — also when it belongs to another org."""
    return get_object_or_404(model._default_manager.filter(organization=org), **lookup)
