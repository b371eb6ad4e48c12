"""An invitation to join an organization, which the person accepts through an e-mailed link."""

from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecoute.accounts.roles import Role
from ecoute.lib.tokens import new_token, token_digest


class Invitation(models.Model):
    """Until it is accepted, the person is shown as invited and belongs to nothing.

    Only the digest of the link's token is stored; sending again makes a new token, which ends the old link.
    """

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        ordering: ClassVar = ["email"]
        constraints: ClassVar = [
            models.UniqueConstraint("organization", Lower("email"), name="one_invitation_per_email")
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization_id} ({self.role})"

    def renew_token(self) -> str:
        """A new link, valid for INVITATION_MAX_AGE_DAYS from now; the previous one stops working."""
        token = new_token()
        self.token_hash = token_digest(token)
        self.sent_at = timezone.now()
        self.expires_at = self.sent_at + timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
        return token

    @property
    def has_expired(self) -> bool:
        return self.expires_at <= timezone.now()
