"""The support admin (staff only) for the listening program; the product's own pages are the UI."""

from django.contrib import admin

from ecoute.listening.models import (
    Answer,
    ContactPolicy,
    Criterion,
    Invitation,
    PublicLink,
    Question,
    Response,
    Survey,
    Wave,
)


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin[Criterion]):
    list_display = ("code", "name_fr", "name_en", "importance", "target_score", "is_key", "organization")
    list_filter = ("organization", "is_key")
    search_fields = ("code", "name_fr", "name_en")


@admin.register(ContactPolicy)
class ContactPolicyAdmin(admin.ModelAdmin[ContactPolicy]):
    list_display = (
        "organization",
        "max_solicitations",
        "per_days",
        "min_gap_days",
        "quiet_start",
        "quiet_end",
    )


class QuestionInline(admin.TabularInline[Question, Survey]):
    model = Question
    extra = 0
    fields = ("position", "code", "type", "text_fr", "criterion", "known_from", "required")
    raw_id_fields = ("criterion",)


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin[Survey]):
    list_display = ("slug", "name", "kind", "status", "organization", "updated_at")
    list_filter = ("organization", "kind", "status")
    search_fields = ("slug", "name")
    inlines = (QuestionInline,)


@admin.register(Wave)
class WaveAdmin(admin.ModelAdmin[Wave]):
    list_display = ("survey", "planned_at")
    raw_id_fields = ("survey",)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    list_display = ("survey", "customer", "channel", "status", "skip_reason", "sent_at", "organization")
    list_filter = ("organization", "status", "skip_reason", "channel")
    search_fields = ("=customer__external_id", "=trigger_ref")
    raw_id_fields = ("survey", "wave", "customer")
    list_select_related = ("survey", "customer", "organization")
    show_full_result_count = False


class AnswerInline(admin.TabularInline[Answer, Response]):
    model = Answer
    extra = 0
    raw_id_fields = ("question",)


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin[Response]):
    list_display = (
        "survey",
        "customer",
        "channel",
        "nps_level",
        "started_at",
        "completed_at",
        "organization",
    )
    list_filter = ("organization", "channel", "nps_level")
    raw_id_fields = ("survey", "invitation", "public_link", "customer")
    list_select_related = ("survey", "customer", "organization")
    inlines = (AnswerInline,)
    show_full_result_count = False


@admin.register(PublicLink)
class PublicLinkAdmin(admin.ModelAdmin[PublicLink]):
    list_display = ("label", "survey", "active", "organization")
    list_filter = ("organization", "active")
    raw_id_fields = ("survey",)
