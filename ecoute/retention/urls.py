from django.urls import path

from ecoute.retention import campaign_views, views

app_name = "retention"

urlpatterns = [
    path("retention/", views.retention_overview, name="retention"),
    path("retention/lost/", views.lost_customers, name="lost_customers"),
    path(
        "retention/lost/export.csv",
        views.lost_customers_export,
        {"file_format": "csv"},
        name="lost_export_csv",
    ),
    path(
        "retention/lost/export.xlsx",
        views.lost_customers_export,
        {"file_format": "xlsx"},
        name="lost_export_xlsx",
    ),
    path("retention/rules/", views.retention_rules, name="retention_rules"),
    path("campaigns/", campaign_views.campaign_list, name="campaign_list"),
    path("campaigns/new/", campaign_views.campaign_create, name="campaign_create"),
    path("campaigns/size/", campaign_views.campaign_size, name="campaign_size"),
    path("campaigns/<int:campaign_id>/", campaign_views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:campaign_id>/edit/", campaign_views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:campaign_id>/launch/", campaign_views.campaign_launch, name="campaign_launch"),
    path("campaigns/<int:campaign_id>/calls/", campaign_views.campaign_calls, name="campaign_calls"),
    path(
        "campaigns/<int:campaign_id>/calls/<int:member_id>/",
        campaign_views.campaign_call_outcome,
        name="campaign_call_outcome",
    ),
]
