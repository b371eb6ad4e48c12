"""The fresh database of a benchmark, migrated: on SQLite, a new file starts as a copy of one migrated once
for the same code (var/bench/migrated/), so that only a change to the code pays for the migrations — a
few seconds each time, which would otherwise be most of a small run (the benchmarks' smoke test)."""

import hashlib
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIGRATED = ROOT / "var" / "bench" / "migrated"


def migrate() -> None:
    """Migrate the database Django is set up with (after `django.setup()`)."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "sqlite":
        call_command("migrate", verbosity=0)
        return
    database = Path(connection.settings_dict["NAME"])
    if database.exists() and database.stat().st_size > 0:  # a kept database: migrated as it is
        call_command("migrate", verbosity=0)
        return
    template = MIGRATED / f"{_code_digest()}.sqlite3"
    if template.exists():
        connection.close()
        database.write_bytes(template.read_bytes())
    call_command("migrate", verbosity=0)
    if not template.exists():
        _keep_as_template(template)


def _code_digest() -> str:
    """A digest of the product: its migrations and whatever they import or read."""
    digest = hashlib.sha256()
    files = (path for path in (ROOT / "ecoute").rglob("*") if path.is_file())
    for path in sorted(path for path in files if "__pycache__" not in path.parts):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def _keep_as_template(template: Path) -> None:
    """A copy of the database just migrated, written whole then renamed (benchmarks may run side by side);
    templates of earlier code are removed."""
    from django.db import connection

    MIGRATED.mkdir(parents=True, exist_ok=True)
    for earlier in MIGRATED.glob("*.sqlite3"):
        if earlier != template:
            earlier.unlink(missing_ok=True)
    partial = template.with_suffix(f".{os.getpid()}.partial")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(partial)])
    partial.replace(template)
