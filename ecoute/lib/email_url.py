"""Turn EMAIL_URL into Django's EMAIL_* settings."""

from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "memory": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}

_TRUE = {"1", "true", "yes", "on"}


def parse_email_url(url: str) -> dict[str, Any]:
    """`smtp://user:password@host:587/?tls=1` → EMAIL_BACKEND, EMAIL_HOST, …"""
    parts = urlsplit(url)
    if parts.scheme not in _BACKENDS:
        raise ValueError(f"EMAIL_URL scheme must be one of {sorted(_BACKENDS)}, not {parts.scheme!r}")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    settings: dict[str, Any] = {"EMAIL_BACKEND": _BACKENDS[parts.scheme]}
    if parts.scheme in {"smtp", "smtps"}:
        settings |= {
            "EMAIL_HOST": parts.hostname or "localhost",
            "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_TLS": query.get("tls", "").lower() in _TRUE,
            "EMAIL_USE_SSL": parts.scheme == "smtps" or query.get("ssl", "").lower() in _TRUE,
            "EMAIL_TIMEOUT": int(query.get("timeout", "10")),
        }
    return settings
