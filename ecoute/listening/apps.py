from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListeningConfig(AppConfig):
    name = "ecoute.listening"
    label = "listening"
    verbose_name = _("Listening")

    def ready(self) -> None:
        from ecoute.listening.send_rules import contact_pressure
        from ecoute.messaging import send_rules

        send_rules.register(contact_pressure)
