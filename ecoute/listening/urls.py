from django.urls import path

from ecoute.listening import link_views, public_views, results_views, survey_views, views, wave_views

app_name = "listening"

urlpatterns = [
    path("criteria/", views.criterion_list, name="criterion_list"),
    path("criteria/new/", views.criterion_new, name="criterion_new"),
    path("criteria/<int:criterion_id>/", views.criterion_edit, name="criterion_edit"),
    path("surveys/", survey_views.survey_list, name="survey_list"),
    path("surveys/new/", survey_views.survey_new, name="survey_new"),
    path("surveys/import/", survey_views.survey_import, name="survey_import"),
    path("surveys/<int:survey_id>/", survey_views.survey_detail, name="survey_detail"),
    path("surveys/<int:survey_id>/settings/", survey_views.survey_settings, name="survey_settings"),
    path("surveys/<int:survey_id>/export/", survey_views.survey_export, name="survey_export"),
    path("surveys/<int:survey_id>/preview/", survey_views.survey_preview, name="survey_preview"),
    path("surveys/<int:survey_id>/questions/new/", survey_views.question_new, name="question_new"),
    path(
        "surveys/<int:survey_id>/questions/<int:question_id>/",
        survey_views.question_edit,
        name="question_edit",
    ),
    path(
        "surveys/<int:survey_id>/questions/<int:question_id>/move/",
        survey_views.question_move,
        name="question_move",
    ),
    path(
        "surveys/<int:survey_id>/questions/<int:question_id>/delete/",
        survey_views.question_delete,
        name="question_delete",
    ),
    path("surveys/<int:survey_id>/links/", link_views.public_links, name="public_links"),
    path(
        "surveys/<int:survey_id>/links/<int:link_id>/deactivate/",
        link_views.public_link_deactivate,
        name="public_link_deactivate",
    ),
    path("surveys/<int:survey_id>/links/<int:link_id>/qr/", link_views.public_link_qr, name="public_link_qr"),
    path("s/<str:token>", public_views.invitation_survey, name="answer"),
    path("s/<str:token>/<str:score>", public_views.invitation_one_click, name="answer_score"),
    path("p/<str:token>", public_views.public_survey, name="public_answer"),
    path("surveys/<int:survey_id>/results/", results_views.survey_results, name="survey_results"),
    path("surveys/<int:survey_id>/activate/", wave_views.survey_activate, name="survey_activate"),
    path("surveys/<int:survey_id>/plan/", wave_views.survey_plan, name="survey_plan"),
]
