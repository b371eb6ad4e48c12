"""Who was invited, and what they answered: waves, invitations, responses, answers, public links.

Messages live in the messaging app, which links back by `subject_ref` ("invitation:<id>"), so that
listening depends on no outbox model.
"""

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecoute.accounts.tenancy import OrgOwned
from ecoute.customers.models import Channel


class Wave(models.Model):
    survey = models.ForeignKey("listening.Survey", on_delete=models.CASCADE, related_name="waves")
    planned_at = models.DateTimeField(_("planned at"), default=timezone.now)
    # {"planned": 812, "skipped": {"consent": 40, "pressure": 12}, …}, written when the wave is planned
    counts = models.JSONField(_("counts"), default=dict, blank=True)

    class Meta:
        ordering: ClassVar = ["-planned_at", "-id"]
        verbose_name = _("wave")
        verbose_name_plural = _("waves")

    def __str__(self) -> str:
        return f"{self.survey} {self.planned_at:%Y-%m-%d}"


class InvitationStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    SKIPPED = "skipped", _("skipped")
    QUEUED = "queued", _("queued")
    SENT = "sent", _("sent")
    BOUNCED = "bounced", _("bounced")
    OPENED = "opened", _("opened")
    STARTED = "started", _("started")
    COMPLETED = "completed", _("completed")
    EXPIRED = "expired", _("expired")
    REVOKED = "revoked", _("revoked")


class SkipReason(models.TextChoices):
    CONSENT = "consent", _("no consent")
    DO_NOT_CONTACT = "do_not_contact", _("do not contact")
    BOUNCED = "bounced", _("bounced address")
    PRESSURE = "pressure", _("contact pressure")
    GAP = "gap", _("too soon after the last message")
    COOLDOWN = "cooldown", _("survey cooldown")
    QUIET = "quiet", _("quiet hours")
    NO_ADDRESS = "no_address", _("no address")


class Invitation(OrgOwned):
    survey = models.ForeignKey("listening.Survey", on_delete=models.CASCADE, related_name="invitations")
    wave = models.ForeignKey(
        Wave, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations"
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="survey_invitations"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    # SHA-256 of the link's token (lib/tokens.py); none for a skipped invitation, which has no link.
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PLANNED
    )
    skip_reason = models.CharField(_("reason skipped"), max_length=16, choices=SkipReason.choices, blank=True)
    # The event a transactional survey follows ("transaction:T000123"): at most one invitation each.
    trigger_ref = models.CharField(_("event"), max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["survey", "trigger_ref"],
                condition=~Q(trigger_ref=""),
                name="invitation_once_per_event",
            ),
            # Planning a wave again adds only those not in it yet.
            models.UniqueConstraint(fields=["wave", "customer"], name="invitation_once_per_wave"),
            models.CheckConstraint(
                condition=Q(status="skipped") | Q(skip_reason=""), name="invitation_reason_only_when_skipped"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["customer", "sent_at"], name="invitation_customer_sent_idx"),
            models.Index(fields=["survey", "status"], name="invitation_survey_status_idx"),
            # A survey's cooldown looks up each customer's invitations to it when planning.
            models.Index(fields=["customer", "survey"], name="invitation_customer_survey_idx"),
        ]
        ordering: ClassVar = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.survey} → {self.customer_id} ({self.status})"


class InvitationLink(models.Model):
    """A link to an invitation carried by one e-mail (the invitation, then its reminder): each e-mail has
    its own token, made when it is sent, of which only the SHA-256 is kept; all lead to the invitation
    until it expires."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("invitation link")
        verbose_name_plural = _("invitation links")

    def __str__(self) -> str:
        return f"{self.invitation_id} {self.created_at:%Y-%m-%d %H:%M}"


class ResponseChannel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    WEB = "web", _("web")
    KIOSK = "kiosk", _("kiosk")
    PHONE = "phone", _("phone")
    API = "api", _("API")
    IMPORT = "import", _("import")


class NpsLevel(models.TextChoices):
    DETRACTOR = "detractor", _("detractor")
    PASSIVE = "passive", _("passive")
    PROMOTER = "promoter", _("promoter")


class PublicLink(OrgOwned):
    """An anonymous link to a survey, for a website or a QR code on a receipt."""

    survey = models.ForeignKey("listening.Survey", on_delete=models.CASCADE, related_name="public_links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    label = models.CharField(_("label"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        verbose_name = _("public link")
        verbose_name_plural = _("public links")

    def __str__(self) -> str:
        return self.label


class Response(OrgOwned):
    survey = models.ForeignKey("listening.Survey", on_delete=models.CASCADE, related_name="responses")
    # One response per invitation, held by the database even under simultaneous submits.
    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="response"
    )
    public_link = models.ForeignKey(
        PublicLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
    )
    channel = models.CharField(_("channel"), max_length=8, choices=ResponseChannel.choices)
    language = models.CharField(_("language"), max_length=8, default="fr")
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    nps_level = models.CharField(_("NPS level"), max_length=10, choices=NpsLevel.choices, blank=True)
    # An imported response: the other tool's response id, else a digest of its customer, date and
    # answers; importing the same file again finds it and adds nothing.
    import_key = models.CharField(
        _("import key"), max_length=120, blank=True, default="", db_default="", editable=False
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["survey", "import_key"], condition=~Q(import_key=""), name="response_imported_once"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["survey", "completed_at"], name="response_survey_completed_idx"),
            models.Index(fields=["customer", "completed_at"], name="response_customer_idx"),
        ]
        ordering: ClassVar = ["-started_at", "-id"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return f"{self.survey} #{self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey("listening.Question", on_delete=models.CASCADE, related_name="answers")
    # The score (nps, csat, ces, rating, the satisfaction of importance_satisfaction; 1/0 for yes_no)
    number = models.SmallIntegerField(_("score"), null=True, blank=True)
    # The stated importance, for importance_satisfaction questions only
    importance = models.SmallIntegerField(_("importance"), null=True, blank=True)
    choices = models.JSONField(_("choices"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_once_per_question"),
        ]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.question_id}: {self.number if self.number is not None else self.text[:40]}"
