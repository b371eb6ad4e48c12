from django.urls import path

from ecoute.messaging import views

app_name = "messaging"

urlpatterns = [
    path("u/<str:token>", views.unsubscribe, name="unsubscribe"),
    path("customers/<int:customer_id>/do-not-contact/", views.do_not_contact_switch, name="do_not_contact"),
]
