"""What logging in remembers: attempts that failed, the addresses an account logged in from, and the
one-time login links e-mailed to accounts under attack."""

from datetime import timedelta
from typing import TYPE_CHECKING, ClassVar, Self

from django.conf import settings
from django.db import models
from django.utils import timezone

from ecoute.lib.tokens import new_token, token_digest

if TYPE_CHECKING:
    from ecoute.accounts.models import User

LOGIN_LINK_MAX_AGE = timedelta(minutes=15)


class FailedLogin(models.Model):
    """One login attempt, recorded before its password is checked and kept when it failed.

    Recording first lets concurrent attempts count each other: the rate limits shared by every worker
    process count these rows.
    """

    email = models.CharField(max_length=254, db_index=True)
    address = models.GenericIPAddressField(null=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.email} from {self.address} at {self.created_at:%Y-%m-%d %H:%M}"


class KnownAddress(models.Model):
    """An address an account logged in from: under attack, the password alone still works there."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    address = models.GenericIPAddressField()
    last_login_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "address"], name="one_known_address_per_account")
        ]

    def __str__(self) -> str:
        return f"{self.address} ({self.last_login_at:%Y-%m-%d})"


class LoginLink(models.Model):
    """A one-time link that logs an account in, e-mailed when its password came from a new address
    while the account was under attack. Only the token's digest is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"login link of {self.user_id} until {self.expires_at:%Y-%m-%d %H:%M}"

    @classmethod
    def issue(cls, user_id: int) -> tuple[Self, str]:
        token = new_token()
        now = timezone.now()
        cls.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()
        link = cls.objects.create(
            user_id=user_id,
            token_hash=token_digest(token),
            created_at=now,
            expires_at=now + LOGIN_LINK_MAX_AGE,
        )
        return link, token

    @classmethod
    def usable(cls) -> "models.QuerySet[LoginLink]":
        return cls.objects.filter(used_at__isnull=True, expires_at__gt=timezone.now())

    @classmethod
    def use(cls, token: str) -> "User | None":
        """The account the link logs in, once: a link used, expired or unknown gives None."""
        found = cls.usable().filter(token_hash=token_digest(token))
        link = found.select_related("user").first()
        # The update is the single use: of two clicks at once, only one changes the row.
        if link is None or not link.user.is_active or not found.update(used_at=timezone.now()):
            return None
        return link.user
