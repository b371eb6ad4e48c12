"""API authentication by per-organization key: `Authorization: Bearer ek_…`.

Every endpoint goes through it, so it also enforces what a key may do: its scope (a read key may not
write: 403) and its rate limit (429 with Retry-After), counted in the database across processes.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer

from ecoute.accounts.models import ApiKey, Organization
from ecoute.lib.rate_limits import count_request
from ecoute.lib.tokens import token_digest

READING = frozenset({"GET", "HEAD", "OPTIONS"})


class ApiRateLimitError(Exception):
    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class ApiKeyAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        key = (
            ApiKey.objects.usable()
            .select_related("organization")
            .filter(key_hash=token_digest(token))
            .first()
        )
        if key is None:
            return None
        request.organization = key.organization  # type: ignore[attr-defined]
        request.api_key = key  # type: ignore[attr-defined]
        limit = count_request(
            "api", str(key.pk), limit=settings.API_RATE_LIMIT, window=settings.API_RATE_LIMIT_WINDOW
        )
        with translation.override(api_language(request, key.organization)):
            if not limit.allowed:
                message = _("Too many requests with this API key: try again in %(seconds)d s.") % {
                    "seconds": limit.retry_after
                }
                raise ApiRateLimitError(message, limit.retry_after)
            if request.method not in READING and not key.may_write:
                raise HttpError(
                    403, _("This API key may only read. Writing needs a key with read and write access.")
                )
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=5):
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        return key


def api_language(request: HttpRequest, organization: Organization) -> str:
    """The language of the API's messages: the request's Accept-Language, else the organization's."""
    if request.headers.get("Accept-Language"):
        return translation.get_language_from_request(request)
    return organization.language
