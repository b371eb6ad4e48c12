from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListeningConfig(AppConfig):
    name = "ecoute.listening"
    label = "listening"
    verbose_name = _("Listening")

    def ready(self) -> None:
        from ecoute.listening.invitation_email import survey_links
        from ecoute.listening.send_rules import contact_pressure
        from ecoute.messaging import links, send_rules

        send_rules.register(contact_pressure)
        links.register("invitation", survey_links)
