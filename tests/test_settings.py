"""Settings come from the environment; production settings refuse to start unsafe."""

import os
import subprocess
import sys

from ecoute.lib.email_url import parse_email_url


def _ecoute(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ECOUTE_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "-m", "ecoute", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**clean, **env},
    )


def test_without_a_secret_key_and_debug_off_start_up_stops_with_a_clear_message() -> None:
    # the server, like every command that checks the configuration, refuses to start
    result = _ecoute("serve", "--port", "8799")
    assert result.returncode == 1
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_deployment_checklist_passes_with_production_settings() -> None:
    result = _ecoute(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="k" * 20 + "-production-secret-0123456789abcdef",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_email_url_gives_the_smtp_mailer() -> None:
    mailer = parse_email_url("smtp://ecoute:p%40ss@smtp.example.fr:587/?tls=1")
    assert mailer["OPTIONS"] == {
        "host": "smtp.example.fr",
        "port": 587,
        "username": "ecoute",
        "password": "p@ss",
        "use_tls": True,
        "use_ssl": False,
        "timeout": 10,
    }
    assert parse_email_url("console://")["BACKEND"].endswith("console.EmailBackend")


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(db: None) -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
