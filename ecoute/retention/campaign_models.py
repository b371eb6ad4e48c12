"""Reactivation campaigns: an audience of slipping customers, the actions taken with them, and a control
group held out by a hash of the campaign's salt, so that the lift can be measured (DESIGN.md)."""

import secrets
from datetime import datetime, timedelta
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ecoute.accounts.tenancy import OrgOwned
from ecoute.retention.models import ActivityStatus


def new_salt() -> str:
    return secrets.token_hex(16)


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("campaign status", "draft")
    LAUNCHED = "launched", pgettext_lazy("campaign status", "launched")
    FINISHED = "finished", pgettext_lazy("campaign status", "finished")


class Campaign(OrgOwned):
    name = models.CharField(_("name"), max_length=200)
    # Who is targeted, read by campaign_audience.py (the one place that understands it).
    audience = models.JSONField(_("audience"), default=dict, blank=True)
    email_enabled = models.BooleanField(_("personalised e-mail"), default=False)
    email_subject_fr = models.CharField(_("e-mail subject (French)"), max_length=200, blank=True)
    email_subject_en = models.CharField(_("e-mail subject (English)"), max_length=200, blank=True)
    email_body_fr = models.TextField(_("e-mail body (French)"), blank=True)
    email_body_en = models.TextField(_("e-mail body (English)"), blank=True)
    calls_enabled = models.BooleanField(_("call list for agents"), default=False)
    call_script = models.TextField(_("call script"), blank=True)
    survey = models.ForeignKey(
        "listening.Survey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("“why did you leave” survey"),
    )
    program_enabled = models.BooleanField(_("invitation to the loyalty programme"), default=False)
    program_url = models.URLField(_("programme address"), blank=True)
    control_share = models.DecimalField(
        _("control group share"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.15"),
        validators=[MinValueValidator(Decimal("0.05")), MaxValueValidator(Decimal("0.50"))],
    )
    window_days = models.PositiveSmallIntegerField(
        _("window (days)"),
        default=60,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
        help_text=_("A customer who buys within this many days after the launch counts as reactivated."),
    )
    salt = models.CharField(max_length=64, default=new_salt, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    launched_at = models.DateTimeField(_("launched at"), null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "name"], name="campaign_unique_name"),
        ]
        ordering: ClassVar = ["-created_at", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name

    @property
    def window_end(self) -> datetime | None:
        return self.launched_at + timedelta(days=self.window_days) if self.launched_at else None

    def status_at(self, now: datetime) -> str:
        """Launched campaigns are finished once their window is over."""
        end = self.window_end
        if self.status == CampaignStatus.LAUNCHED and end is not None and now >= end:
            return CampaignStatus.FINISHED
        return self.status

    def status_label(self, now: datetime) -> str:
        return str(CampaignStatus(self.status_at(now)).label)


class CampaignGroup(models.TextChoices):
    TREATMENT = "treatment", _("treatment")
    CONTROL = "control", _("control")


class CallOutcome(models.TextChoices):
    INTERESTED = "interested", _("reached, interested")
    NOT_INTERESTED = "not_interested", _("reached, not interested")
    NO_ANSWER = "no_answer", _("no answer")
    WRONG_NUMBER = "wrong_number", _("wrong number")
    DO_NOT_CALL = "do_not_call", _("asked not to be called")


class MemberSkip(models.TextChoices):
    NO_ADDRESS = "no_address", _("no e-mail address")
    NO_CONSENT = "consent", _("no marketing consent")
    DO_NOT_CONTACT = "do_not_contact", _("do not contact")
    SUPPRESSED = "suppressed", _("address suppressed (bounce or complaint)")


class CampaignMember(OrgOwned):
    """A customer of the campaign's audience at launch, in the treatment or the control group, with
    what they were at launch (for the results per segment) and what the actions did."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    group = models.CharField(_("group"), max_length=10, choices=CampaignGroup.choices)
    status_at_launch = models.CharField(_("status at launch"), max_length=16, choices=ActivityStatus.choices)
    store_at_launch = models.CharField(_("store"), max_length=100, blank=True)
    region_at_launch = models.CharField(_("region"), max_length=100, blank=True)
    outcome = models.CharField(_("call outcome"), max_length=20, choices=CallOutcome.choices, blank=True)
    outcome_note = models.CharField(_("note"), max_length=500, blank=True)
    contacted_at = models.DateTimeField(_("contacted at"), null=True, blank=True)
    contacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    skipped_reason = models.CharField(
        _("e-mail skipped because"), max_length=20, choices=MemberSkip.choices, blank=True
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["campaign", "customer"], name="campaign_member_once"),
        ]
        indexes: ClassVar = [models.Index(fields=["campaign", "group"], name="campaign_member_group_idx")]
        ordering: ClassVar = ["id"]
        verbose_name = _("campaign member")
        verbose_name_plural = _("campaign members")

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.customer_id} {self.group}"
