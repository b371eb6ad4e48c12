"""`ecoute btyd FILE`: lifetime models on a transactions file, without a database."""

import csv
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.analytics.btyd_data import CDNOW

ROOT = Path(__file__).resolve().parents[2]


def run_btyd(*arguments: str) -> str:
    # Messages are asserted in English; the French catalogue is tested with the others.
    output = StringIO()
    with translation.override("en"):
        call_command("btyd", *arguments, stdout=output)
    return output.getvalue()


def test_json_report_has_every_model_and_gamma_gamma() -> None:
    # when the command runs on CDNOW with --json
    report = json.loads(run_btyd(str(CDNOW), "--calibration-end", "1997-09-30", "--json"))
    # then one JSON object with the published estimates
    assert report["customers"] == 2357
    assert set(report["models"]) == {"bgnbd", "mbgnbd", "pareto"}
    assert round(report["models"]["bgnbd"]["params"]["alpha"], 3) == 4.414
    assert set(report["models"]["pareto"]["params"]) == {"r", "alpha", "s", "beta"}
    assert round(report["models"]["pareto"]["loglik"], 1) == -9595.0
    assert report["gamma_gamma"]["customers"] == 946
    assert round(report["gamma_gamma"]["params"]["v"], 2) == 15.44
    assert "holdout" not in report


def test_holdout_scores_and_chart_are_written(tmp_path: Path) -> None:
    scores, chart = tmp_path / "scores.csv", tmp_path / "holdout.svg"
    report = json.loads(
        run_btyd(
            str(CDNOW),
            "--calibration-end=1997-09-30",
            "--holdout-end=1998-06-30",
            "--model=pareto",
            "--horizon=39",
            f"--scores={scores}",
            f"--svg={chart}",
            "--json",
        )
    )
    assert list(report["models"]) == ["pareto"]
    assert report["holdout"]["model"] == "pareto"
    assert len(report["holdout"]["by_calibration_frequency"]) == 8
    with scores.open(newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 2357
    assert list(rows[0]) == [
        "customer_id",
        "frequency",
        "recency",
        "T",
        "monetary_value",
        "p_alive",
        "p_alive_low",
        "p_alive_high",
        "expected_purchases",
        "expected_purchases_low",
        "expected_purchases_high",
        "clv",
        "clv_low",
        "clv_high",
        "dert",
        "dert_value",
    ]
    first = rows[0]
    assert first["customer_id"] == "00004"
    assert 0.0 < float(first["p_alive"]) <= 1.0
    assert float(first["clv"]) > 0.0
    for name in ("p_alive", "expected_purchases", "clv"):
        assert float(first[f"{name}_low"]) <= float(first[name]) <= float(first[f"{name}_high"])
    assert float(first["dert_value"]) > 0.0
    totals = report["totals"]
    assert totals["dert_value"] > totals["clv"]["estimate"]
    assert totals["clv"]["low"] < totals["clv"]["estimate"] < totals["clv"]["high"]
    assert totals["expected_purchases"]["low"] < totals["expected_purchases"]["estimate"]
    assert chart.read_text().startswith("<svg")


def test_readable_table_without_json() -> None:
    text = run_btyd(str(CDNOW), "--calibration-end", "1997-09-30", "--model", "bgnbd")
    assert "2,357 customers, 6,919 transactions." in text
    assert "bgnbd" in text
    assert "-9,582.4" in text
    assert "r=0.2426" in text


def test_readable_table_counts_follow_the_french_reader() -> None:
    # given a French reader
    output = StringIO()
    # when the table is printed
    with translation.override("fr"):
        call_command("btyd", str(CDNOW), "--calibration-end", "1997-09-30", "--model", "bgnbd", stdout=output)
    text = output.getvalue()
    # then counts are grouped the French way, with French plurals
    assert "2\N{NO-BREAK SPACE}357 clients, 6\N{NO-BREAK SPACE}919 transactions." in text
    assert "1\N{NO-BREAK SPACE}959 lignes datées" in text
    # and so are the parameters and the log-likelihood, with a decimal comma
    assert "r=0,2426" in text
    assert "-9\N{NO-BREAK SPACE}582,4" in text


def test_holdout_table_headings_follow_the_french_reader() -> None:
    # given a French reader and a holdout period
    output = StringIO()
    # when the table is printed
    with translation.override("fr"):
        call_command(
            "btyd",
            str(CDNOW),
            "--calibration-end",
            "1997-09-30",
            "--holdout-end",
            "1998-06-30",
            "--model",
            "bgnbd",
            stdout=output,
        )
    lines = output.getvalue().splitlines()
    # then the holdout table's headings are French too
    title = next(index for index, line in enumerate(lines) if line.startswith("Période de test"))
    assert lines[title + 1].split() == ["rachats", "clients", "réels", "prévus"]
    assert lines[-1].split()[0] == "total"


def test_french_file_with_custom_columns(tmp_path: Path) -> None:
    path = tmp_path / "ventes.csv"
    path.write_bytes(
        "client;jour;montant\nA;02/01/2024;10,50\nA;09/01/2024;1 000,00\nB;03/01/2024;5\n"
        "B;20/01/2024;7,25\nC;04/01/2024;3\n".encode("cp1252")
    )
    report = json.loads(
        run_btyd(
            str(path),
            "--calibration-end=2024-01-31",
            "--customer-col=client",
            "--date-col=jour",
            "--amount-col=montant",
            "--period-days=1",
            "--model=bgnbd",
            "--json",
        )
    )
    assert report["customers"] == 3


@pytest.mark.parametrize(
    ("content", "arguments", "message"),
    [
        ("client;date\nA;01/01/2024\n", [], 'Column "customer_id"'),
        ("customer_id;date\nA;32/01/2024\n", [], "Line 2"),
        ("customer_id;date;amount\nA;01/01/2024;abc\n", [], '"abc"'),
        ("customer_id;date\nA;01/01/2024\n", ["--amount-col=price"], 'Column "price"'),
        ("customer_id;date\nA;01/06/2030\n", [], "2024-12-31"),
    ],
    ids=["missing-column", "bad-date", "bad-amount", "missing-amount-column", "all-after-calibration"],
)
def test_bad_input_is_a_clear_command_error(
    tmp_path: Path, content: str, arguments: list[str], message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run_btyd(str(path), "--calibration-end=2024-12-31", *arguments)


def test_missing_column_message_lists_the_columns_found(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("client;jour\nA;01/01/2024\n", encoding="utf-8")
    with pytest.raises(CommandError) as error:
        run_btyd(str(path), "--calibration-end=2024-12-31")
    assert "client, jour" in str(error.value)


def test_console_command_exits_1_with_a_message_and_no_traceback(tmp_path: Path) -> None:
    # given a file that does not exist, run as a user would
    environment = {**os.environ, "ECOUTE_TESTING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "ecoute", "btyd", str(tmp_path / "nope.csv"), "--calibration-end=2024-12-31"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        check=False,
    )
    # then a one-line error and exit code 1
    assert result.returncode == 1
    assert "nope.csv" in result.stderr
    assert "Traceback" not in result.stderr


def test_without_amounts_there_is_no_spend_model_and_no_value(tmp_path: Path) -> None:
    # given a log of customers and dates only
    path = tmp_path / "visits.csv"
    path.write_text(
        "customer_id,date\n1,2024-01-02\n1,2024-01-20\n2,2024-01-05\n3,2024-01-09\n3,2024-02-01\n",
        encoding="utf-8",
    )
    scores = tmp_path / "scores.csv"
    # when the command runs
    report = json.loads(
        run_btyd(str(path), "--calibration-end=2024-03-31", "--model=bgnbd", f"--scores={scores}", "--json")
    )
    # then purchase models are fitted, Gamma-Gamma is not, and value columns are left empty
    assert "gamma_gamma" not in report
    with scores.open(newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [row["customer_id"] for row in rows] == ["1", "2", "3"]
    assert {row["clv"] for row in rows} == {""}
    assert {row["monetary_value"] for row in rows} == {""}
