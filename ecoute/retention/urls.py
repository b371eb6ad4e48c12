from django.urls import path

from ecoute.retention import views

app_name = "retention"

urlpatterns = [
    path("retention/", views.retention_overview, name="retention"),
    path("retention/lost/", views.lost_customers, name="lost_customers"),
    path("retention/rules/", views.retention_rules, name="retention_rules"),
]
