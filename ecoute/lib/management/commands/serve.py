"""Serve Écoute: gunicorn (with whitenoise) and the task worker side by side; Ctrl-C stops both."""

import os
import signal
import subprocess
import sys
import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Run the web server and the background worker together."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
        parser.add_argument("--task-workers", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        address = f"{options['host']}:{options['port']}"
        web = [
            sys.executable,
            "-m",
            "gunicorn",
            "ecoute.wsgi:application",
            "--bind",
            address,
            "--workers",
            str(options["web_workers"]),
            "--access-logfile",
            "-",
            "--timeout",
            "120",
        ]
        worker = [sys.executable, "-m", "ecoute", "db_worker", "--queue-name", "default"]
        processes = [subprocess.Popen(web)]
        processes += [subprocess.Popen(worker) for _index in range(options["task_workers"])]
        self.stdout.write(
            self.style.SUCCESS(_("Écoute is running at http://%(address)s/") % {"address": address})
        )
        if settings.DEBUG:
            self.stdout.write(_("DEBUG is on: do not expose this server."))
        self.stdout.write(_("Press Ctrl-C to stop."))
        # A service manager stops us with SIGTERM: treat it like Ctrl-C so the children stop too.
        signal.signal(signal.SIGTERM, _interrupt)
        stopped_by_user = False
        try:
            while all(p.poll() is None for p in processes):
                time.sleep(0.5)
        except KeyboardInterrupt:
            stopped_by_user = True
        finally:
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
        if not stopped_by_user:
            raise CommandError(_("A process stopped unexpectedly (is the port already in use?)."))
