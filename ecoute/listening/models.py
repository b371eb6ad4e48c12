"""What the company listens for (criteria), how it asks (surveys and questions), and how often it may.

Invitations, responses, answers and public links live in `responses.py`, imported here so that
Django and callers find every model of the app in one place.
"""

import uuid
from datetime import time
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ecoute.accounts.tenancy import OrgOwned
from ecoute.listening.responses import (
    Answer,
    Invitation,
    InvitationLink,
    InvitationStatus,
    PublicLink,
    Response,
    ResponseChannel,
    SkipReason,
    Wave,
)

__all__ = [
    "Answer",
    "Invitation",
    "InvitationLink",
    "InvitationStatus",
    "PublicLink",
    "Response",
    "ResponseChannel",
    "SkipReason",
    "Wave",
]

MAX_KEY_CRITERIA = 3


class Criterion(OrgOwned):
    """A satisfaction criterion (delivery, advice, price…), its stated importance and its target."""

    code = models.SlugField(_("code"), max_length=50)
    name_fr = models.CharField(_("name (French)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    importance = models.PositiveSmallIntegerField(
        _("importance"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("How much it matters to customers, from 1 (little) to 5 (a great deal)."),
    )
    target_score = models.DecimalField(
        _("target score"),
        max_digits=3,
        decimal_places=1,
        default=8,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
        help_text=_("The mean satisfaction aimed for, out of 10."),
    )
    is_key = models.BooleanField(_("key criterion"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "code"], name="criterion_unique_code"),
            models.CheckConstraint(
                condition=Q(importance__gte=1, importance__lte=5), name="criterion_importance_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(target_score__gte=0, target_score__lte=10), name="criterion_target_0_to_10"
            ),
        ]
        ordering: ClassVar = ["position", "id"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if _language() == "en" else self.name_fr

    @property
    def description(self) -> str:
        return self.description_en if _language() == "en" else self.description_fr


def _language() -> str:
    return (get_language() or "fr")[:2]


def _default_quiet_days() -> list[int]:
    return [6]  # Sunday (Monday is 0)


class ContactPolicy(OrgOwned):
    """The organization's one budget of contact pressure, in its own time zone."""

    max_solicitations = models.PositiveSmallIntegerField(
        _("solicitations at most"), default=2, validators=[MinValueValidator(1)]
    )
    per_days = models.PositiveSmallIntegerField(
        _("per number of days"), default=30, validators=[MinValueValidator(1)]
    )
    min_gap_days = models.PositiveSmallIntegerField(_("minimum gap (days)"), default=7)
    quiet_start = models.TimeField(_("quiet hours from"), default=time(20, 0))
    quiet_end = models.TimeField(_("quiet hours until"), default=time(9, 0))
    quiet_days = models.JSONField(
        _("quiet days"), default=_default_quiet_days, blank=True, help_text=_("Weekdays, Monday = 0.")
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization"], name="contact_policy_one_per_org"),
            models.CheckConstraint(
                condition=Q(max_solicitations__gte=1, per_days__gte=1), name="contact_policy_positive"
            ),
        ]
        verbose_name = _("contact policy")
        verbose_name_plural = _("contact policies")

    def __str__(self) -> str:
        return f"{self.max_solicitations} / {self.per_days} d"


class SurveyKind(models.TextChoices):
    RELATIONSHIP = "relationship", _("relationship")
    TRANSACTIONAL = "transactional", _("transactional")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    ACTIVE = "active", _("active")
    CLOSED = "closed", _("closed")


def _default_languages() -> list[str]:
    return ["fr", "en"]


class Survey(OrgOwned):
    slug = models.SlugField(_("slug"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=16, choices=SurveyKind.choices, default=SurveyKind.RELATIONSHIP
    )
    status = models.CharField(
        _("status"), max_length=8, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    languages = models.JSONField(_("languages"), default=_default_languages)
    cooldown_days = models.PositiveSmallIntegerField(_("cooldown (days)"), default=90)
    reminder_after_days = models.PositiveSmallIntegerField(
        _("reminder after (days)"), null=True, blank=True, default=3
    )
    expires_after_days = models.PositiveSmallIntegerField(_("expires after (days)"), default=14)
    min_answers = models.PositiveSmallIntegerField(_("minimum answers shown"), default=30)
    audience = models.JSONField(_("audience"), default=dict, blank=True)
    intro_fr = models.TextField(_("introduction (French)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    # Per level (default, promoter, passive, detractor), a text per language (fr, en).
    thanks = models.JSONField(_("thank-you texts"), default=dict, blank=True)
    email_subject_fr = models.CharField(_("e-mail subject (French)"), max_length=200, blank=True)
    email_subject_en = models.CharField(_("e-mail subject (English)"), max_length=200, blank=True)
    email_body_fr = models.TextField(_("e-mail body (French)"), blank=True)
    email_body_en = models.TextField(_("e-mail body (English)"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Renewed whenever one of its questions is saved or deleted (survey_questions.py), so that the
    # questions each process keeps for answering are read again after any change.
    questions_version = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "slug"], name="survey_unique_slug"),
        ]
        ordering: ClassVar = ["name", "id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Refuse an audience that planning could not read, naming each bad key."""
        from ecoute.listening.audiences import AudienceError, read_audience

        try:
            read_audience(self.audience, self.kind)
        except AudienceError as error:
            raise ValidationError({"audience": error.problems}) from error


class QuestionType(models.TextChoices):
    NPS = "nps", _("likelihood to recommend (0–10)")
    CSAT = "csat", _("satisfaction (1–5)")
    CES = "ces", _("effort (1–7)")
    RATING = "rating", _("rating (1–5)")
    IMPORTANCE_SATISFACTION = "importance_satisfaction", _("importance and satisfaction (1–5 each)")
    CHOICE = "choice", _("one choice")
    MULTI = "multi", _("several choices")
    TEXT = "text", _("free text")
    YES_NO = "yes_no", _("yes or no")


# The scale of each numeric type; importance_satisfaction asks two questions on this scale.
SCALES: dict[str, tuple[int, int]] = {
    QuestionType.NPS: (0, 10),
    QuestionType.CSAT: (1, 5),
    QuestionType.CES: (1, 7),
    QuestionType.RATING: (1, 5),
    QuestionType.IMPORTANCE_SATISFACTION: (1, 5),
}


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    code = models.SlugField(_("code"), max_length=50)
    type = models.CharField(_("type"), max_length=24, choices=QuestionType.choices)
    text_fr = models.TextField(_("text (French)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    # [{"value": "price", "fr": "Le prix", "en": "The price"}, …] for choice and multi
    options = models.JSONField(_("options"), default=list, blank=True)
    criterion = models.ForeignKey(
        Criterion, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions"
    )
    known_from = models.CharField(_("known from CRM field"), max_length=100, blank=True)
    # {"question": "recommend", "min": 0, "max": 6}: shown only when that answer falls in the range
    show_if = models.JSONField(_("shown if"), null=True, blank=True)
    required = models.BooleanField(_("required"), default=False)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["survey", "code"], name="question_unique_code"),
        ]
        ordering: ClassVar = ["survey", "position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return f"{self.survey.slug}/{self.code}"
