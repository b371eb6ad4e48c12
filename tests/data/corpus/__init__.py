"""Import files shaped like real French CRM, till and accounting exports, and hostile ones, each with the
outcome it must have.

Every module of this package lists its ``CASES``; each case writes its file into a temporary folder
(nothing binary is committed). ``tests/customers/test_import_corpus.py`` runs every case with
``ecoute import`` on the test database (SQLite, and PostgreSQL in the second leg), checks the expected
outcome, and checks that the dry run reported exactly what the real run did.
"""

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ecoute.accounts.models import Organization


@dataclass(frozen=True)
class Expected:
    """What importing the file must do."""

    succeeds: bool
    written: int | None = None
    rejected: int | None = None
    # Fragments that the command's output or its error message must hold.
    says: tuple[str, ...] = ()
    # Further checks on what was stored (raises AssertionError).
    stored: Callable[[Organization], None] | None = None


@dataclass(frozen=True)
class Case:
    name: str
    kind: str
    # Writes the file into the folder given and returns its path.
    build: Callable[[Path], Path]
    expected: Expected
    args: tuple[str, ...] = ()
    # Rows the file refers to (customers before their sales…), written before the import.
    given: Callable[[Organization], None] | None = None
    language: str = "en"
    tags: tuple[str, ...] = field(default=())


def all_cases() -> list[Case]:
    """Every case of every module of the corpus, in a stable order."""
    cases: list[Case] = []
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        cases += importlib.import_module(f"{__name__}.{module.name}").CASES
    return cases
