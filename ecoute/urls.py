from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from ecoute.api import api
from ecoute.lib.health import health

admin.site.site_header = "Écoute"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="customers:overview", permanent=False)),
    path("accounts/", include("ecoute.accounts.urls")),
    path("", include("ecoute.customers.urls")),
    path("", include("ecoute.listening.urls")),
    path("", include("ecoute.messaging.urls")),
    path("", include("ecoute.retention.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
]

handler400 = "ecoute.lib.error_views.bad_request"
handler403 = "ecoute.lib.error_views.permission_denied"
handler404 = "ecoute.lib.error_views.page_not_found"
handler500 = "ecoute.lib.error_views.server_error"
