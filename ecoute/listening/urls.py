from django.urls import path

from ecoute.listening import views

app_name = "listening"

urlpatterns = [
    path("criteria/", views.criterion_list, name="criterion_list"),
    path("criteria/new/", views.criterion_new, name="criterion_new"),
    path("criteria/<int:criterion_id>/", views.criterion_edit, name="criterion_edit"),
]
