from django.urls import path

from ecoute.listening import link_views, public_views, survey_views, views

app_name = "listening"

urlpatterns = [
    path("criteria/", views.criterion_list, name="criterion_list"),
    path("criteria/new/", views.criterion_new, name="criterion_new"),
    path("criteria/<int:criterion_id>/", views.criterion_edit, name="criterion_edit"),
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
]

urlpatterns += [
    path("surveys/", survey_views.survey_list, name="survey_list"),
    path("surveys/<int:survey_id>/", survey_views.survey_detail, name="survey_detail"),
    path("surveys/<int:survey_id>/activate/", survey_views.survey_activate, name="survey_activate"),
    path("surveys/<int:survey_id>/plan/", survey_views.survey_plan, name="survey_plan"),
]
