"""API authentication by per-organization key: `Authorization: Bearer ek_…`."""

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from ecoute.accounts.models import ApiKey
from ecoute.lib.tokens import token_digest


class ApiKeyAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        key = (
            ApiKey.objects.select_related("organization")
            .filter(key_hash=token_digest(token), revoked_at__isnull=True)
            .first()
        )
        if key is None:
            return None
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=5):
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        request.organization = key.organization  # type: ignore[attr-defined]
        request.api_key = key  # type: ignore[attr-defined]
        return key
