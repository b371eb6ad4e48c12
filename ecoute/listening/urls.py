from django.urls import path

from ecoute.listening import survey_views, views

app_name = "listening"

urlpatterns = [
    path("criteria/", views.criterion_list, name="criterion_list"),
    path("criteria/new/", views.criterion_new, name="criterion_new"),
    path("criteria/<int:criterion_id>/", views.criterion_edit, name="criterion_edit"),
]

urlpatterns += [
    path("surveys/", survey_views.survey_list, name="survey_list"),
    path("surveys/<slug:survey_slug>/", survey_views.survey_detail, name="survey_detail"),
    path("surveys/<slug:survey_slug>/activate/", survey_views.survey_activate, name="survey_activate"),
    path("surveys/<slug:survey_slug>/plan/", survey_views.survey_plan, name="survey_plan"),
]
