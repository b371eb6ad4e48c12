"""The support admin (staff only) for customer data; the product's own pages are the UI."""

from django.contrib import admin

from ecoute.customers.models import Consent, Customer, ImportJob, Interaction, LoyaltyAct, Tag, Transaction


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin[Customer]):
    list_display = ("external_id", "last_name", "first_name", "email", "organization", "last_purchase_at")
    list_filter = ("organization",)
    search_fields = ("=external_id", "email", "last_name")
    list_select_related = ("organization",)
    raw_id_fields = ("tags",)
    show_full_result_count = False


@admin.register(Transaction, Interaction, LoyaltyAct)
class CustomerEventAdmin(admin.ModelAdmin[Transaction]):
    list_display = ("external_id", "customer", "occurred_at", "organization")
    list_filter = ("organization",)
    search_fields = ("=external_id", "=customer__external_id")
    raw_id_fields = ("customer",)
    list_select_related = ("customer", "organization")
    show_full_result_count = False


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin[Consent]):
    list_display = ("customer", "channel", "purpose", "granted", "recorded_at", "source")
    list_filter = ("organization", "channel", "purpose", "granted")
    raw_id_fields = ("customer",)
    show_full_result_count = False


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin[Tag]):
    list_display = ("name", "organization")
    list_filter = ("organization",)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin[ImportJob]):
    list_display = (
        "original_name",
        "kind",
        "organization",
        "status",
        "rows_total",
        "rows_written",
        "rows_duplicate",
        "created_at",
    )
    list_filter = ("organization", "kind", "status")
    readonly_fields = ("errors",)
