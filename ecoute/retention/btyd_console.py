"""`ecoute btyd` from the console without the web application.

The command works on a file alone: no database, no app. Loading every app of the project
(models, admin, API schemas) would cost more than a second of a run that takes a few, so the
console starts Django with no app at all (not even this one: its models alone take a tenth of a
second to import), the project's language settings and nothing else. Messages are translated
from the project's LOCALE_PATHS, which need no app.
"""

import os
from collections.abc import Sequence

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
    from ecoute.retention.management.commands.btyd import Command

    Command().run_from_argv([argv[0], "btyd", *argv[2:]])
