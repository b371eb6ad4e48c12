"""`ecoute btyd` from the console without the web application.

The command works on a file alone: no database, no app. Loading every app of the project
(models, admin, API schemas) would cost more than a second of a run that takes a few, so the
console starts Django with no app at all (not even this one: its models alone take a tenth of a
second to import), the project's language settings and nothing else. Messages are translated
from the project's LOCALE_PATHS, which need no app.
"""

import os
import sys
from argparse import ArgumentParser
from collections.abc import Sequence
from typing import Any, TextIO

from django.utils.translation import gettext as _

# What the command reads of the settings: the language of its messages and how numbers are written.
_LANGUAGE_SETTINGS = ("LANGUAGE_CODE", "LANGUAGES", "LOCALE_PATHS", "TIME_ZONE", "USE_I18N", "USE_TZ")


def run_btyd(argv: Sequence[str]) -> None:
    """Run `ecoute btyd` with argv as the console gave it (argv[1] is "btyd")."""
    # Arrow's allocator (mimalloc) keeps freed memory for a while by default: the scores file,
    # written in blocks by several threads, would hold about twice the memory it uses. Read
    # when Arrow is loaded, later.
    os.environ.setdefault("MIMALLOC_PURGE_DELAY", "0")
    # Two heaps for the threads of the run, one per core (see limit_heaps).
    from ecoute.analytics.btyd.memory import limit_heaps

    limit_heaps(2)
    from django.apps import apps
    from django.conf import settings

    if not settings.configured:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecoute.settings")
        from importlib import import_module

        project = import_module(os.environ["DJANGO_SETTINGS_MODULE"])
        settings.configure(
            INSTALLED_APPS=[],
            **{name: getattr(project, name) for name in _LANGUAGE_SETTINGS if hasattr(project, name)},
        )
    # django.setup() without the URL prefix and logging it also sets up: neither is used here, and
    # the URL machinery alone takes a tenth of a second to import.
    apps.populate(settings.INSTALLED_APPS)
    # The command's own parser, without Django's management machinery (a twentieth of a second
    # to import) nor its options for commands that use the database.
    from ecoute.retention.btyd_job import DESCRIPTION, add_arguments, run_job
    from ecoute.retention.btyd_options import BtydError

    parser = ArgumentParser(prog="ecoute btyd", description=_(DESCRIPTION))
    add_arguments(parser)
    options = vars(parser.parse_args(argv[2:]))
    try:
        run_job(options, _Console(sys.stdout), _Console(sys.stderr))
    except BtydError as error:
        sys.stderr.write(f"{error}\n")
        sys.exit(1)


class _Console:
    """A console stream written as the command writes to Django's: each message ends a line
    unless told otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, msg: str = "", style_func: Any = None, ending: str | None = "\n") -> None:
        if ending and not msg.endswith(ending):
            msg += ending
        self.stream.write(msg)

    def flush(self) -> None:
        self.stream.flush()
