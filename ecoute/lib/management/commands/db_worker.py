"""`ecoute db_worker`: django-tasks-db's worker, which also picks up the work of workers that died.

A worker killed in the middle of a task leaves it marked running for ever, and the task backend has no
way to tell a dead worker from a slow one. Each app that can tell (an import renews a lease while it
runs) lists a function in settings.WORKER_HOUSEKEEPING; every worker calls those functions when it
starts and every WORKER_HOUSEKEEPING_SECONDS, from a thread of its own, so that they run even while the
worker is busy with a long task.
"""

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils.module_loading import import_string
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger(__name__)


def _housekeeping(functions: list[Callable[[], object]], interval: float, stop: threading.Event) -> None:
    try:
        while not stop.is_set():
            close_old_connections()
            for function in functions:
                try:
                    function()
                except Exception:  # the next round tries again; the worker goes on meanwhile
                    logger.exception("Worker housekeeping %s failed", function.__qualname__)
            stop.wait(interval)
    finally:
        connection.close()


class Command(db_worker.Command):
    help = "Run background tasks, and pick up again those of workers that died."

    def handle(self, *args: Any, **options: Any) -> None:
        functions = [import_string(path) for path in settings.WORKER_HOUSEKEEPING]
        stop = threading.Event()
        thread = threading.Thread(
            target=_housekeeping,
            args=(functions, settings.WORKER_HOUSEKEEPING_SECONDS, stop),
            name="worker-housekeeping",
            daemon=True,
        )
        thread.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
