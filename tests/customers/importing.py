"""Helpers for importer tests: write export-like files and run `ecoute import` as a user would."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write `text` with Windows line ends, as CRMs export, in `encoding` (cp1252, utf-8-sig, …)."""
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return path


def run_import(*args: str) -> tuple[str, str]:
    """Run `ecoute import …`; returns (stdout, stderr)."""
    out, err = StringIO(), StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing_import(*args: str) -> tuple[str, str]:
    """Run an import that must fail; returns (error message, stderr with the row problems)."""
    err = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import", *args, stdout=StringIO(), stderr=err)
    return str(failure.value), err.getvalue()
