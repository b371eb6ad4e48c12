"""The `ecoute` console command: the same subcommands as `python manage.py`."""

import os
import sys


def main() -> None:
    if sys.argv[1:2] == ["btyd"]:
        # A command on a file alone: it starts without the web application (see btyd_console).
        from ecoute.retention.btyd_console import run_btyd

        run_btyd(sys.argv)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecoute.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        sys.stderr.write(f"Écoute cannot start: {error}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
