"""Rate limit of failed logins per account and per address, shared by every worker process."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from ecoute.accounts.models import FailedLogin


def _window_start() -> datetime:
    return timezone.now() - timedelta(seconds=settings.LOGIN_FAILURES_WINDOW)


def is_login_blocked(email: str, address: str | None) -> bool:
    recent = FailedLogin.objects.filter(created_at__gte=_window_start())
    limit = settings.LOGIN_FAILURES_LIMIT
    if recent.filter(email=email.lower()).count() >= limit:
        return True
    return address is not None and recent.filter(address=address).count() >= limit


def record_failed_login(email: str, address: str | None) -> None:
    FailedLogin.objects.create(email=email.lower()[:254], address=address)
    # Old rows are useless to the limit: drop them as we go.
    FailedLogin.objects.filter(created_at__lt=_window_start()).delete()


def forget_failed_logins(email: str) -> None:
    FailedLogin.objects.filter(Q(email=email.lower())).delete()
