import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecoute.settings")
application = get_wsgi_application()

from ecoute.lib.checks import UNCONFIGURED_SIGNING_HELP, secret_key_is_missing  # noqa: E402

if secret_key_is_missing():
    raise ImproperlyConfigured(UNCONFIGURED_SIGNING_HELP)
