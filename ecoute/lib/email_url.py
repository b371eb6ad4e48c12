"""Turn EMAIL_URL into Django's MAILERS setting."""

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


def smtp_mailer(
    host: str,
    port: int,
    *,
    username: str = "",
    password: str = "",
    use_tls: bool = False,
    use_ssl: bool = False,
    timeout: int = 10,
) -> dict[str, Any]:
    return {
        "BACKEND": _BACKENDS["smtp"],
        "OPTIONS": {
            "host": host,
            "port": port,
            "username": username,
            "password": password,
            "use_tls": use_tls,
            "use_ssl": use_ssl,
            "timeout": timeout,
        },
    }


def parse_email_url(url: str) -> dict[str, Any]:
    """`smtp://user:password@host:587/?tls=1` → the default mailer of MAILERS."""
    parts = urlsplit(url)
    if parts.scheme not in _BACKENDS:
        raise ValueError(f"EMAIL_URL scheme must be one of {sorted(_BACKENDS)}, not {parts.scheme!r}")
    if parts.scheme not in {"smtp", "smtps"}:
        return {"BACKEND": _BACKENDS[parts.scheme]}
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    use_ssl = parts.scheme == "smtps" or query.get("ssl", "").lower() in _TRUE
    return smtp_mailer(
        parts.hostname or "localhost",
        parts.port or (465 if use_ssl else 25),
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=query.get("tls", "").lower() in _TRUE,
        use_ssl=use_ssl,
        timeout=int(query.get("timeout", "10")),
    )
