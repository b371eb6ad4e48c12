"""Serve Écoute: gunicorn (with whitenoise) and the task workers side by side, each started again if it
dies; Ctrl-C or SIGTERM stops them all."""

import errno
import os
import signal
import socket
import sys
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ecoute.lib.supervisor import ChildKeepsDyingError, Supervisor, describe_exit


def _cannot_listen(host: str, port: int) -> str | None:
    """Why the web server could not listen on host:port, or None when it can: said at once, rather than
    after gunicorn's retries."""
    address = f"{host}:{port}"
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        socket.create_server((host, port), family=family).close()
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            return _("%(address)s is already in use: stop what listens there, or choose another --port.") % {
                "address": address
            }
        return _("Cannot listen on %(address)s: %(error)s.") % {
            "address": address,
            "error": error.strerror or error,
        }
    return None


class Command(BaseCommand):
    help = "Run the web server and the background workers together, restarting any that dies."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
        parser.add_argument("--task-workers", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        address = f"{host}:{port}"
        if problem := _cannot_listen(host, port):
            raise CommandError(problem)
        children = {_("The web server"): self._web_command(address, options["web_workers"])}
        for number in range(1, options["task_workers"] + 1):
            children[_("Worker %(number)s") % {"number": number}] = [
                sys.executable,
                "-m",
                "ecoute",
                "db_worker",
                "--queue-name",
                "default",
                "--no-reload",
            ]
        supervisor = Supervisor(children, report=self.stderr.write)
        # A service manager stops us with SIGTERM, a terminal with SIGINT: both stop every process.
        signal.signal(signal.SIGTERM, supervisor.request_stop)
        signal.signal(signal.SIGINT, supervisor.request_stop)
        self.stdout.write(
            self.style.SUCCESS(_("Écoute is running at http://%(address)s/") % {"address": address})
        )
        if settings.DEBUG:
            self.stdout.write(_("DEBUG is on: do not expose this server."))
        self.stdout.write(_("Press Ctrl-C to stop."))
        try:
            supervisor.run()
        except ChildKeepsDyingError as error:
            raise CommandError(
                _(
                    "%(name)s stopped %(times)s times within seconds of starting (%(how)s), so Écoute "
                    "stops; the messages above say why."
                )
                % {"name": error.name, "times": error.times, "how": describe_exit(error.returncode)}
            ) from error

    @staticmethod
    def _web_command(address: str, workers: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "ecoute.wsgi:application",
            "--bind",
            address,
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "--timeout",
            "120",
            # Within the supervisor's stop timeout: requests under way finish, then it stops.
            "--graceful-timeout",
            "20",
            # Unused here, and at one path per user: two servers on a machine would share it.
            "--no-control-socket",
        ]
