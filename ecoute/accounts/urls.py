from django.contrib.auth import views as auth_views
from django.urls import path

from ecoute.accounts import api_key_views, audit_views, member_views, password_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login, name="login"),
    path("login/link/<str:token>/", views.login_link, name="login_link"),
    path("logout/", views.logout, name="logout"),
    path("language/", views.set_language, name="set_language"),
    path("organization/", views.switch_organization, name="switch_organization"),
    path("no-organization/", views.no_organization, name="no_organization"),
    path("members/", member_views.members, name="members"),
    path("members/<int:membership_id>/", member_views.member_update, name="member_update"),
    path(
        "invitations/<int:invitation_id>/resend/",
        member_views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "invitations/<int:invitation_id>/cancel/",
        member_views.invitation_cancel,
        name="invitation_cancel",
    ),
    path("invitations/<str:token>/", member_views.invitation_accept, name="invitation_accept"),
    path("exports/", audit_views.audit_log, name="audit_log"),
    path("api-keys/", api_key_views.api_keys, name="api_keys"),
    path("api-keys/<int:key_id>/revoke/", api_key_views.api_key_revoke, name="api_key_revoke"),
    path("password/", password_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", password_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        password_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
