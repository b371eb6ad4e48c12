"""What an import is asked to do (ImportRequest) and what it did (ImportOutcome)."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecoute.customers.importing.problems import ImportNote, RowProblem

# Problems kept to be shown; beyond, they are counted.
MAX_PROBLEMS_KEPT = 1000


@dataclass
class ImportOutcome:
    rows: int = 0
    # Rows stored (created or updated; in a dry run, that would be), one per key: rows of the file
    # that repeat an earlier row's key are folded into it (the last wins) and counted as duplicates.
    written: int = 0
    duplicates: int = 0
    rejected_lines: dict[int, str] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)
    problem_count: int = 0
    # How the file was read (see Table.description): encoding, sheets, totals lines skipped.
    reading: dict[str, Any] = field(default_factory=dict)
    # What the import decided that the user should know, without being a problem.
    notes: list[ImportNote] = field(default_factory=list)
    # Each column's field (None: ignored).
    mapping: list[tuple[str, str | None]] = field(default_factory=list)
    # Why the rejects file asked for could not be written (the valid rows were), if it could not.
    rejects_error: str | None = None
    rejects_path: Path | None = None

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def add(self, problem: RowProblem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(problem)
        self.rejected_lines.setdefault(problem.line, problem.reason)


@dataclass
class ImportRequest:
    organization_id: int
    time_zone: str
    kind: str
    path: Path | None = None
    records: list[dict[str, Any]] | None = None  # rows sent to the API, keyed by field name
    overrides: list[str] = field(default_factory=list)
    mapping: dict[str, str] | None = None  # column position → field, as chosen on the web page
    skip_invalid: bool = False
    dry_run: bool = False
    rejects_path: Path | None = None
    # How to read the file: encoding, sheet, header_row (see open_table).
    reading_options: dict[str, Any] = field(default_factory=dict)
    # "dmy", "mdy" or "ymd": how numeric dates are read, rather than deciding it from each column.
    date_order: str | None = None
    # The organization's currency, and whether it refuses sales in others (see money.py).
    currency: str = "EUR"
    single_currency: bool = False
    # The import job writing, recorded on its rows so that it can be undone (None for the API).
    job_id: int | None = None
