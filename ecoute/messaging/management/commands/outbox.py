"""`ecoute outbox send [--org ORG]`: one pass over the messages due, for installs that run it from cron;
the messages that fell due with time (a survey's reminders) are queued first, as workers do."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecoute.accounts.commands import organization_named
from ecoute.messaging.due_work import queue_fallen_due
from ecoute.messaging.sending import send_due_messages


class Command(BaseCommand):
    help = gettext_lazy("The outbox: `ecoute outbox send [--org ORG]` sends the messages that are due.")  # type: ignore[assignment]

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.description = str(self.help)
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help=_("Send the messages that are due, once, then stop."))
        send.add_argument("--org", help=_("organization slug (default: every organization)"))

    def handle(self, *args: Any, **options: Any) -> None:
        organization = None
        if options["org"]:
            organization = organization_named(options["org"])
        queue_fallen_due(organization)  # a survey's reminders, say: no worker queues them under cron
        report = send_due_messages(organization)
        self.stdout.write(
            _("Sent: %(sent)d · refused: %(refused)d · to retry: %(retried)d · failed: %(failed)d")
            % {
                "sent": report.sent,
                "refused": report.refused,
                "retried": report.retried,
                "failed": report.failed,
            }
        )
