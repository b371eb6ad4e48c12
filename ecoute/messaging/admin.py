"""The support admin (staff only) for the outbox."""

from django.contrib import admin

from ecoute.messaging.models import Message, Suppression


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin[Message]):
    list_display = (
        "to_address",
        "subject",
        "purpose",
        "status",
        "status_reason",
        "attempts",
        "queued_at",
        "sent_at",
    )
    list_filter = ("organization", "status", "purpose")
    search_fields = ("=to_address", "=idempotency_key", "=subject_ref")
    raw_id_fields = ("customer",)
    readonly_fields = ("message_id", "idempotency_key", "last_error", "attempts", "sent_at", "queued_at")
    list_select_related = ("organization",)
    show_full_result_count = False


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin[Suppression]):
    list_display = ("address", "customer", "reason", "source", "created_at", "lifted_at", "organization")
    list_filter = ("organization", "reason")
    search_fields = ("=address", "=customer__external_id")
    raw_id_fields = ("customer", "created_by", "lifted_by")
    list_select_related = ("organization", "customer")
    show_full_result_count = False
