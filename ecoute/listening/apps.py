from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListeningConfig(AppConfig):
    name = "ecoute.listening"
    label = "listening"
    verbose_name = _("Listening")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from ecoute.listening.invitation_email import survey_links
        from ecoute.listening.invitation_sending import queue_due_reminders
        from ecoute.listening.models import Question
        from ecoute.listening.send_rules import contact_pressure
        from ecoute.listening.survey_questions import renew_questions_version
        from ecoute.messaging import due_work, links, send_rules

        send_rules.register(contact_pressure)
        links.register("invitation", survey_links)
        due_work.register(queue_due_reminders)
        for signal in (post_save, post_delete):
            signal.connect(renew_questions_version, sender=Question, dispatch_uid="questions_version")
