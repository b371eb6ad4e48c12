from django.urls import path

from ecoute.customers import export_views, import_views, views

app_name = "customers"

urlpatterns = [
    path("overview/", views.overview, name="overview"),
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/export.csv", views.customer_export, {"file_format": "csv"}, name="customer_export_csv"),
    path(
        "customers/export.xlsx", views.customer_export, {"file_format": "xlsx"}, name="customer_export_xlsx"
    ),
    path("exports/", export_views.export_list, name="export_list"),
    path("exports/<int:export_id>/download/", export_views.export_download, name="export_download"),
    path("customers/<int:customer_id>/", views.customer_detail, name="customer_detail"),
    path("imports/", import_views.import_list, name="import_list"),
    path("imports/new/", import_views.import_new, name="import_new"),
    path("imports/<int:job_id>/", import_views.import_detail, name="import_detail"),
    path("imports/<int:job_id>/mapping/", import_views.import_mapping, name="import_mapping"),
    path("imports/<int:job_id>/kind/", import_views.import_switch_kind, name="import_switch_kind"),
    path("imports/<int:job_id>/run/", import_views.import_run, name="import_run"),
    path("imports/<int:job_id>/valid-rows/", import_views.import_valid_rows, name="import_valid_rows"),
    path("imports/<int:job_id>/undo/", import_views.import_undo, name="import_undo"),
    path("imports/<int:job_id>/resume/", import_views.import_resume, name="import_resume"),
    path("imports/<int:job_id>/rejects/", import_views.import_rejects, name="import_rejects"),
]
