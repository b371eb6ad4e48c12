"""The support admin (staff only): organizations, people, memberships, API keys."""

from typing import Any, ClassVar

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ecoute.accounts.actions import revoke_api_keys_made_by
from ecoute.accounts.models import ApiKey, Membership, Organization, User


class MembershipInline(admin.TabularInline[Membership, Organization]):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin[Organization]):
    list_display = ("name", "slug", "language", "time_zone", "created_at")
    search_fields = ("name", "slug")
    inlines: ClassVar = [MembershipInline]

    def save_model(self, request: HttpRequest, obj: Organization, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            # Imported here: listening's models build on accounts'.
            from ecoute.listening.actions import ensure_listening_defaults

            ensure_listening_defaults(obj)


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active", "last_login")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "language", "current_organization")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    raw_id_fields = ("current_organization",)

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        revoke_api_keys_made_by(User.objects.filter(pk=obj.pk))
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        revoke_api_keys_made_by(queryset)
        super().delete_queryset(request, queryset)

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        # Only superusers hand out the support admin or superuser rights.
        return fields if request.user.is_superuser else (*fields, "is_staff", "is_superuser")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin[ApiKey]):
    list_display = ("name", "organization", "prefix", "scope", "created_at", "last_used_at", "revoked_at")
    list_filter = ("organization",)
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A key is made with its secret on the organization's API keys page; a row added here
        # would have no secret at all.
        return False
