"""The outbox: every e-mail the product sends is a Message; Suppressions say who must receive none."""

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecoute.accounts.tenancy import OrgOwned, OrgQuerySet
from ecoute.customers.models import Channel, Purpose


class MessagePurpose(models.TextChoices):
    SURVEY_INVITATION = "survey_invitation", _("survey invitation")
    SURVEY_REMINDER = "survey_reminder", _("survey reminder")
    THANKS = "thanks", _("thanks")
    REFERRAL = "referral", _("referral")
    REACTIVATION = "reactivation", _("reactivation")
    NOTICE = "notice", _("notice")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")
    SUPPRESSED = "suppressed", _("suppressed")


FINAL_STATUSES = (MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.CANCELLED, MessageStatus.SUPPRESSED)


class Message(OrgOwned):
    """One e-mail, from the moment it is queued until it is sent or refused, with what happened to it."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    to_address = models.EmailField(_("to"))
    language = models.CharField(_("language"), max_length=8, blank=True)
    purpose = models.CharField(_("purpose"), max_length=32, choices=MessagePurpose.choices)
    # Counts against the organization's contact pressure (see send_rules).
    solicits = models.BooleanField(_("solicits"), default=False)
    # The consent checked at send time; blank for messages that need none (a notice to staff).
    consent_channel = models.CharField(
        _("consent channel"), max_length=8, choices=Channel.choices, blank=True
    )
    consent_purpose = models.CharField(
        _("consent purpose"), max_length=16, choices=Purpose.choices, blank=True
    )
    subject = models.CharField(_("subject"), max_length=300)
    text_body = models.TextField(_("text"))
    html_body = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200)
    message_id = models.CharField(_("Message-ID"), max_length=200)
    # What this message is about, for the app that queued it ("invitation:123"), without a foreign key.
    subject_ref = models.CharField(_("about"), max_length=100, blank=True)
    unsubscribe_token_hash = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    status = models.CharField(_("status"), max_length=12, choices=MessageStatus.choices, default="queued")
    status_reason = models.CharField(_("reason"), max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # The process sending it now, and until when it may (see sending.py).
    claimed_by = models.CharField(max_length=120, blank=True, editable=False)
    lease_expires_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"], name="message_unique_idempotency_key"
            )
        ]
        indexes: ClassVar = [
            models.Index(fields=["status", "next_attempt_at"], name="message_due_idx"),
            models.Index(fields=["organization", "subject_ref"], name="message_subject_ref_idx"),
            models.Index(fields=["customer", "queued_at"], name="message_customer_idx"),
        ]
        ordering: ClassVar = ["-queued_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.to_address}: {self.subject}"


class SuppressionReason(models.TextChoices):
    HARD_BOUNCE = "hard_bounce", _("hard bounce")
    COMPLAINT = "complaint", _("complaint")
    DO_NOT_CONTACT = "do_not_contact", _("do not contact")


class SuppressionQuerySet(OrgQuerySet["Suppression"]):
    def active(self) -> "SuppressionQuerySet":
        return self.filter(lifted_at=None)

    def do_not_contact(self) -> "SuppressionQuerySet":
        """Customers' standing requests not to be contacted."""
        return self.active().filter(reason=SuppressionReason.DO_NOT_CONTACT)


class Suppression(OrgOwned):
    """Who must not receive mail: an address (it bounced, its owner complained) or a customer (asked
    not to be contacted). Lifting one keeps the row, with when and by whom."""

    address = models.EmailField(_("address"), blank=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, null=True, blank=True, related_name="suppressions"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=SuppressionReason.choices)
    source = models.CharField(_("source"), max_length=100, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    created_at = models.DateTimeField(_("since"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = SuppressionQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=~Q(address="") | Q(customer__isnull=False), name="suppression_has_target"
            ),
            models.UniqueConstraint(
                fields=["organization", "customer", "reason"],
                condition=Q(lifted_at=None, customer__isnull=False),
                name="suppression_one_active_per_customer",
            ),
            models.UniqueConstraint(
                fields=["organization", "address", "reason"],
                condition=Q(lifted_at=None) & ~Q(address=""),
                name="suppression_one_active_per_address",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["organization", "address"], name="suppression_address_idx")]
        ordering: ClassVar = ["-created_at", "-id"]
        verbose_name = _("suppression")
        verbose_name_plural = _("suppressions")

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.address or self.customer_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Compared with the address of each message, lowercased too, on an index.
        self.address = self.address.strip().lower()
        super().save(*args, **kwargs)
