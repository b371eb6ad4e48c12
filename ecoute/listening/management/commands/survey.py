"""`ecoute survey ACTION …`: the command line of surveys; each action lives in its own module."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from ecoute.listening.management.commands import _survey_invite

ACTIONS = {"invite": _survey_invite}


class Command(BaseCommand):
    help = "Surveys from the command line: invite their audience."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        for name, module in ACTIONS.items():
            module.add_arguments(actions.add_parser(name, help=module.HELP))

    def handle(self, *args: Any, **options: Any) -> None:
        ACTIONS[options["action"]].run(self, options)
