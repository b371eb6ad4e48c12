"""Start-up checks of the configuration, run before the server or a command starts."""

import os
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

UNCONFIGURED_SIGNING_HELP = (
    "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random string "
    "(for example: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'), "
    "or set DEBUG=1 for local development."
)


def secret_key_is_missing() -> bool:
    return not settings.DEBUG and not settings.TESTING and not os.environ.get("SECRET_KEY")


@register()
def check_secret_key(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if secret_key_is_missing():
        return [Error(UNCONFIGURED_SIGNING_HELP, id="ecoute.E001")]
    return []
