"""Organizations, the people who work in them, their roles, and API keys."""

from typing import Any, ClassVar
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecoute.accounts.api_models import IdempotentRequest
from ecoute.accounts.audit import AuditAction, AuditEvent
from ecoute.accounts.invitation import Invitation
from ecoute.accounts.login_models import FailedLogin, KnownAddress, LoginLink
from ecoute.accounts.roles import ROLE_PERMISSIONS, Role, roles_with
from ecoute.lib.tokens import new_token, token_digest

# Models in their own modules, and the roles, imported here so that Django and callers find them.
__all__ = [
    "ROLE_PERMISSIONS",
    "AuditAction",
    "AuditEvent",
    "FailedLogin",
    "IdempotentRequest",
    "Invitation",
    "KnownAddress",
    "LoginLink",
    "Role",
]


def validate_time_zone(name: str) -> None:
    if name not in available_timezones():
        raise ValidationError(
            _("Unknown time zone “%(zone)s” (for example Europe/Paris)."), params={"zone": name}
        )


class Organization(models.Model):
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="fr")
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Paris", validators=[validate_time_zone]
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # The currency of a sale whose file names none (ISO 4217); with `single_currency`, an import refuses
    # a sale written in another one instead of storing it in its own currency.
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    single_currency = models.BooleanField(_("keep every sale in this currency"), default=False)

    class Meta:
        ordering: ClassVar = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        """The whole address in lower case: one account per address, whatever its capitals.

        `AbstractUser.clean` calls this too, so the admin's forms store lower case as well.
        """
        return super().normalize_email(email).strip().lower()

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=username)

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person who logs in with an e-mail address."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    current_organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta(AbstractUser.Meta):
        constraints: ClassVar = [
            models.UniqueConstraint(
                Lower("email"),
                name="one_account_per_email",
                violation_error_message=_("An account with this e-mail address already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_membership_per_org")
        ]
        ordering: ClassVar = ["organization__name"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"

    def can(self, permission: str) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    def may_grant(self, role: str) -> bool:
        """Whether this member may give `role` to someone: only owners make owners."""
        return self.can("manage_members") and (role != Role.OWNER or self.role == Role.OWNER)

    def may_manage(self, other: "Membership") -> bool:
        """Whether this member may change the role of `other` or remove them: only owners touch owners."""
        return (
            self.can("manage_members")
            and other.organization_id == self.organization_id
            and (other.role != Role.OWNER or self.role == Role.OWNER)
        )

    def grantable_roles(self) -> list[tuple[str, str]]:
        return [(value, str(label)) for value, label in Role.choices if self.may_grant(value)]


API_KEY_PREFIX = "ek_"


class ApiKeyScope(models.TextChoices):
    READ = "read", _("Read only")
    READ_WRITE = "read_write", _("Read and write")


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def usable(self) -> "ApiKeyQuerySet":
        """Keys not revoked whose maker may still manage keys in their organization (an active account
        with such a role); keys made by the server's operator have no maker and stand on their own."""
        makers = Membership.objects.filter(
            organization=OuterRef("organization"),
            user=OuterRef("created_by"),
            user__is_active=True,
            role__in=roles_with("manage_api_keys"),
        )
        return self.filter(revoked_at__isnull=True).filter(Q(created_by__isnull=True) | Exists(makers))


class ApiKey(models.Model):
    """A per-organization API key; only its SHA-256 is stored, the key is shown once."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    scope = models.CharField(
        _("access"), max_length=16, choices=ApiKeyScope.choices, default=ApiKeyScope.READ_WRITE
    )

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(
        cls,
        organization: Organization,
        name: str,
        created_by: User | None = None,
        scope: str = ApiKeyScope.READ_WRITE,
    ) -> tuple["ApiKey", str]:
        """Create a key and return it with its clear text, which is never stored.

        The product's page always says what the key may do and who made it; the defaults (read and
        write, no maker) are the server operator's keys, like the keys made before scopes existed.
        """
        secret = new_token(API_KEY_PREFIX)
        key = cls.objects.create(
            organization=organization,
            name=name,
            prefix=secret[:10],
            key_hash=token_digest(secret),
            created_by=created_by,
            scope=scope,
        )
        return key, secret

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def may_write(self) -> bool:
        return self.scope == ApiKeyScope.READ_WRITE
