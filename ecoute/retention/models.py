"""Each customer's activity status, the organization's rules that decide it, and the changes of status
that later automation reacts to."""

from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ecoute.accounts.tenancy import OrgOwned

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ActivityStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("customer status", "new")
    ACTIVE = "active", pgettext_lazy("customer status", "active")
    AT_RISK = "at_risk", pgettext_lazy("customer status", "at risk")
    LOST = "lost", pgettext_lazy("customer status", "lost")
    REACTIVATED = "reactivated", pgettext_lazy("customer status", "reactivated")


# Statuses whose customers have slipped away or are slipping: their revenue is at stake.
SLIPPING = (ActivityStatus.AT_RISK, ActivityStatus.LOST)


class RetentionRules(OrgOwned):
    """When the organization counts a customer lost, at risk, new or reactivated (DESIGN.md: lost after
    3× the customer's own median gap between purchases, at least 180 days)."""

    lost_gap_multiple = models.DecimalField(
        _("lost after this many median gaps"),
        max_digits=4,
        decimal_places=1,
        default=Decimal(3),
        validators=[MinValueValidator(Decimal(1)), MaxValueValidator(Decimal(20))],
        help_text=_("A customer is lost after this many times their own usual gap between purchases."),
    )
    lost_min_days = models.PositiveSmallIntegerField(
        _("lost after at least (days)"),
        default=180,
        validators=[MinValueValidator(30), MaxValueValidator(3650)],
    )
    at_risk_gap_multiple = models.DecimalField(
        _("at risk after this many median gaps"),
        max_digits=4,
        decimal_places=1,
        default=Decimal(2),
        validators=[MinValueValidator(Decimal(1)), MaxValueValidator(Decimal(20))],
    )
    at_risk_min_days = models.PositiveSmallIntegerField(
        _("at risk after at least (days)"),
        default=90,
        validators=[MinValueValidator(7), MaxValueValidator(3650)],
    )
    new_days = models.PositiveSmallIntegerField(
        _("new or reactivated for (days)"),
        default=90,
        validators=[MinValueValidator(7), MaxValueValidator(730)],
        help_text=_("How long after a first purchase, or a return, a customer counts as new or reactivated."),
    )
    lost_p_alive = models.DecimalField(
        _("lost below this chance of being active"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.30"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal("0.99"))],
        help_text=_("For customers who bought more than once, from the last lifetime-model score."),
    )

    # When the scheduled task last recomputed the statuses and the scores.
    statuses_computed_at = models.DateTimeField(null=True, blank=True, editable=False)
    scores_computed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization"], name="retention_rules_one_per_org"),
        ]
        verbose_name = _("retention rules")
        verbose_name_plural = _("retention rules")

    def __str__(self) -> str:
        return f"{self.lost_gap_multiple}× / {self.lost_min_days} d"

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        # A field that failed its own validation keeps its previous value: the comparison stays sound.
        if self.at_risk_min_days >= self.lost_min_days:
            errors["at_risk_min_days"] = _("A customer must be at risk before being lost: fewer days.")
        if self.at_risk_gap_multiple >= self.lost_gap_multiple:
            errors["at_risk_gap_multiple"] = _(
                "A customer must be at risk before being lost: fewer median gaps."
            )
        if errors:
            raise ValidationError(errors)


class CustomerStatus(OrgOwned):
    """A customer's current status, as last computed; customers who never bought have none."""

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, related_name="activity_status"
    )
    status = models.CharField(_("status"), max_length=16, choices=ActivityStatus.choices)
    # The customer's own window, in days, after which they count as lost.
    lost_after_days = models.FloatField(_("lost after (days)"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["organization", "status"], name="customer_status_idx"),
        ]
        verbose_name = _("customer status")
        verbose_name_plural = _("customer statuses")

    def __str__(self) -> str:
        return self.get_status_display()


class StatusChange(OrgOwned):
    """A customer moved from one status to another: the event later automation reacts to."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(_("from"), max_length=16, choices=ActivityStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=ActivityStatus.choices)
    changed_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["organization", "changed_at", "id"], name="status_change_org_idx"),
            models.Index(fields=["customer", "changed_at"], name="status_change_customer_idx"),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=~Q(from_status=models.F("to_status")), name="status_change_changes"
            ),
        ]
        ordering: ClassVar = ["-changed_at", "-id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


class ModelFit(OrgOwned):
    """One fit of a lifetime model on the organization's purchases, kept with what it rests on."""

    model = models.CharField(_("model"), max_length=20)
    parameters = models.JSONField(_("parameters"), default=dict)
    standard_errors = models.JSONField(_("standard errors"), default=dict)
    log_likelihood = models.FloatField(_("log-likelihood"), null=True)
    window_start = models.DateTimeField(_("from"), null=True)
    window_end = models.DateTimeField(_("until"))
    customers = models.PositiveIntegerField(_("customers"))
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    fitted_at = models.DateTimeField(_("fitted at"), default=timezone.now)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["organization", "fitted_at"], name="model_fit_org_idx")]
        ordering: ClassVar = ["-fitted_at", "-id"]
        verbose_name = _("model fit")
        verbose_name_plural = _("model fits")

    def __str__(self) -> str:
        return f"{self.model} {self.fitted_at:%Y-%m-%d}"


class CustomerScore(OrgOwned):
    """A customer's last lifetime-model score: the chance they are still active, what they are
    expected to buy and what they are worth, each with its 95 % interval."""

    customer = models.OneToOneField("customers.Customer", on_delete=models.CASCADE, related_name="score")
    fit = models.ForeignKey(ModelFit, on_delete=models.SET_NULL, null=True, related_name="+")
    frequency = models.PositiveIntegerField(_("repeat purchases"))
    recency_days = models.FloatField(_("recency (days)"))
    age_days = models.FloatField(_("age (days)"))
    monetary = models.DecimalField(_("average purchase"), max_digits=14, decimal_places=2)
    p_alive = models.FloatField(_("chance of being active"))
    p_alive_low = models.FloatField(null=True)
    p_alive_high = models.FloatField(null=True)
    expected_purchases = models.FloatField(_("expected purchases"))
    expected_purchases_low = models.FloatField(null=True)
    expected_purchases_high = models.FloatField(null=True)
    clv = models.FloatField(_("lifetime value"), null=True)
    clv_low = models.FloatField(null=True)
    clv_high = models.FloatField(null=True)
    status = models.CharField(_("status"), max_length=16, choices=ActivityStatus.choices, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("customer score")
        verbose_name_plural = _("customer scores")

    def __str__(self) -> str:
        return f"{self.p_alive:.3f}"


# The campaigns live in a module of their own; imported here so that Django finds their models.
from ecoute.retention.campaign_models import (  # noqa: E402
    CallOutcome,
    Campaign,
    CampaignGroup,
    CampaignMember,
    CampaignStatus,
    MemberSkip,
)

__all__ = ["CallOutcome", "Campaign", "CampaignGroup", "CampaignMember", "CampaignStatus", "MemberSkip"]
