"""The rejects file of an import: the rejected rows as the file had them, with a column saying why, in
the language active (the organization's, for an import run in the background)."""

import contextlib
import os
from pathlib import Path
from typing import Any

from django.utils.translation import gettext

from ecoute.customers.importing.cells import as_text
from ecoute.customers.importing.request import ImportOutcome
from ecoute.lib.formula_safe import FormulaSafeCsvWriter


def write_rejects_if_asked(table: Any, outcome: ImportOutcome, path: Path | None) -> None:
    """Write the rejected rows to `path` when one is asked and there are some: after a dry run too, so
    that the rows to fix can be downloaded before anything is imported."""
    if path is not None and outcome.rejected_lines:
        outcome.rejects_path = path
        outcome.rejects_error = write_rejects(table, outcome, path)


def write_rejects(table: Any, outcome: ImportOutcome, path: Path) -> str | None:
    """The rejected rows as they were in the file, with a last column saying why; a cell that a spreadsheet
    would run as a formula is neutralised (the importer reads it back as it was).

    Written beside `path` then renamed, so a file cut short (disk full, folder gone) is never left
    there; returns why it could not be written, the valid rows being already stored."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        with partial.open("w", newline="", encoding="utf-8-sig") as out:
            writer = FormulaSafeCsvWriter(out, delimiter=";")
            writer.writerow([*table.headers, gettext("reason")])
            for line, cells in table.rows(ragged="keep"):
                reason = outcome.rejected_lines.get(line)
                if reason is not None:
                    writer.writerow([as_text(c) for c in cells] + [reason])
        partial.replace(path)
    except OSError as error:
        with contextlib.suppress(OSError):
            partial.unlink()
        return error.strerror or str(error)
    return None
