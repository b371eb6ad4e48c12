"""Rate limit of failed logins per account and per address, shared by every worker process."""

from datetime import datetime, timedelta
from ipaddress import ip_address

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from ecoute.accounts.models import FailedLogin


def client_address(request: HttpRequest | None) -> str | None:
    """The address of the person behind `request`.

    Behind our one reverse proxy (BEHIND_PROXY=1 sets SECURE_PROXY_SSL_HEADER) every request comes
    from the proxy, which appends the address it saw to X-Forwarded-For: the last entry is the one
    nobody else can forge. Without a proxy the header is anyone's to forge, and only REMOTE_ADDR counts.
    """
    if request is None:
        return None
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")[-1].strip()
        if _is_address(forwarded):
            return forwarded
    remote = str(request.META.get("REMOTE_ADDR", ""))
    return remote if _is_address(remote) else None


def _is_address(text: str) -> bool:
    try:
        ip_address(text)
    except ValueError:
        return False
    return True


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


def forget_failed_logins(email: str, address: str | None = None) -> None:
    """Drop the failures of an account, once its owner proved who they are."""
    FailedLogin.objects.filter(email=email.lower()).delete()
