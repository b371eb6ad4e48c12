"""Attach the current organization and membership to each request of a logged-in person."""

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from ecoute.accounts.models import Membership


def current_membership(request: HttpRequest) -> Membership | None:
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = Membership.objects.filter(user=user).select_related("organization")
    if user.current_organization_id is not None:
        preferred = memberships.filter(organization_id=user.current_organization_id).first()
        if preferred is not None:
            return preferred
    return memberships.order_by("organization__name").first()


class CurrentOrganizationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = current_membership(request)
        request.membership = membership  # type: ignore[attr-defined]
        request.organization = membership.organization if membership else None  # type: ignore[attr-defined]
        # Dates on the pages are the organization's, as imports read them.
        if membership is not None:
            timezone.activate(ZoneInfo(membership.organization.time_zone))
        else:
            timezone.deactivate()
        return self.get_response(request)
