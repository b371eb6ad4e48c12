from django.urls import path

from ecoute.listening import results_views, views

app_name = "listening"

urlpatterns = [
    path("criteria/", views.criterion_list, name="criterion_list"),
    path("criteria/new/", views.criterion_new, name="criterion_new"),
    path("criteria/<int:criterion_id>/", views.criterion_edit, name="criterion_edit"),
    path("surveys/<int:survey_id>/results/", results_views.survey_results, name="survey_results"),
]
