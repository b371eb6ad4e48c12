"""The shortcuts that make `ecoute btyd` fast give the very numbers of the direct computation."""

import csv
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from ecoute.analytics.btyd.histories import distinct_histories
from ecoute.analytics.btyd.score_file import LineStarts, SharedColumn, write_score_file, write_score_lines
from ecoute.analytics.btyd.scoring import build_report
from tests.analytics.btyd_data import CALIBRATION_END, cdnow_log


def test_scores_per_distinct_history_are_each_customers_own() -> None:
    # given the CDNOW customers scored through their distinct histories
    report = build_report(cdnow_log(), calibration_end=CALIBRATION_END, models="bgnbd")
    scores, summary = report.scores, report.summary
    assert scores.history.rows < summary.customers
    # when the model scores every customer directly
    model = report.fits["bgnbd"].model
    direct = model.forecast(52, 0.01, summary.frequency, summary.recency, summary.age)
    dert = model.dert(0.01, summary.frequency, summary.recency, summary.age)
    # then each customer has exactly the same numbers
    assert np.array_equal(scores.p_alive, direct.p_alive)
    assert np.array_equal(scores.expected_purchases, direct.expected_purchases)
    assert np.array_equal(scores.dert[scores.history.index], dert)
    assert scores.clv is not None
    assert report.spend is not None
    spend = report.spend.model.expected_spend(summary.frequency, summary.monetary_value)
    assert np.array_equal(scores.clv, direct.discounted_purchases * spend)


def test_distinct_histories_give_back_every_customers_history() -> None:
    # given histories that repeat, in any order
    rng = np.random.default_rng(3)
    x = rng.integers(0, 5, 5000).astype(float)
    age = rng.integers(1, 30, 5000) / 7.0
    t_x = np.where(x > 0, np.floor(age * rng.random(5000) * 7.0) / 7.0, 0.0)
    # when they are reduced to their distinct rows
    distinct = distinct_histories(x, t_x, age)
    # then each customer's row holds their history, each row is distinct, and the counts add up
    assert np.array_equal(distinct.frequency[distinct.index], x)
    assert np.array_equal(distinct.recency[distinct.index], t_x)
    assert np.array_equal(distinct.age[distinct.index], age)
    assert len(set(zip(distinct.frequency, distinct.recency, distinct.age, strict=True))) == distinct.rows
    assert distinct.count.sum() == x.size


def test_a_scores_file_of_many_blocks_keeps_its_rows_in_order(tmp_path: Path) -> None:
    # given more rows than one block of the writer, with a shared column and one of their own
    rows = 250_001
    ids = np.array([f"C{row:07d}".encode() for row in range(rows)])
    own = np.arange(rows) / 3.0
    shared = SharedColumn(np.array([0.5, 1e-14, 2.0]), np.arange(rows) % 3)
    # when the file is written
    path = tmp_path / "scores.csv"
    write_score_file(path, ["customer_id", "own", "shared"], ids, [(own, None), (shared, None)])
    # then every row is there, in order, with its own values
    with path.open(newline="") as stream:
        read = list(csv.DictReader(stream))
    assert [row["customer_id"] for row in read] == [text.decode() for text in ids.tolist()]
    assert [float(row["own"]) for row in read] == own.tolist()
    assert [row["shared"] for row in read[:4]] == ["0.5", "1e-14", "2", "0.5"]


def test_line_starts_made_ahead_give_the_file_written_in_one_go(tmp_path: Path) -> None:
    # given many blocks of rows: ids, a shared column, columns of their own with a NaN, a
    # negative zero and fixed decimals
    rows = 160_003
    ids = np.array([f"{row}".encode() for row in range(rows)])
    index = np.arange(rows) % 4
    shared = SharedColumn(np.array([0.5, 1e-14, 2.0, 7.0]), index)
    own = np.arange(rows) / 7.0 - 3.0
    own[5] = np.nan
    own[6] = -0.0
    later = SharedColumn(np.array([np.inf, 0.25, 3.0, -1.5]), index)
    counts = np.arange(rows, dtype=np.float64) % 9
    header = ["customer_id", "shared", "own", "later", "counts"]
    whole = tmp_path / "whole.csv"
    write_score_file(whole, header, ids, [(shared, None), (own, None), (later, None), (counts, 0)])
    # when the first columns are laid out ahead, in their own thread, and the others added
    parts = tmp_path / "parts.csv"
    starts = LineStarts(ids, [(shared, None), (own, None)])
    write_score_lines(parts, header, starts, [(later, None), (counts, 0)])
    # then the two files are the same, byte for byte
    assert parts.read_bytes() == whole.read_bytes()
    assert parts.read_bytes().count(b"\n") == rows + 1


def test_line_starts_given_up_when_the_file_cannot_be_written_end_their_thread(tmp_path: Path) -> None:
    # given line starts of more blocks than are made ahead of the writer
    rows = 400_000
    ids = np.array([f"{row}".encode() for row in range(rows)])
    with LineStarts(ids, [(np.arange(rows) / 3.0, None)]) as starts:
        # when, once the thread has made every block it may make ahead and waits for the
        # writer, the file cannot be opened
        time.sleep(1.0)
        with pytest.raises(FileNotFoundError):
            write_score_lines(tmp_path / "missing" / "scores.csv", ["customer_id", "value"], starts, [])
    # then the thread laying them out ends rather than wait for a writer that will not come
    for thread in threading.enumerate():
        if thread.name.startswith("score-lines"):
            thread.join(timeout=10)
    assert not [thread for thread in threading.enumerate() if thread.name.startswith("score-lines")]


def test_reading_a_transactions_file_loads_neither_scipy_nor_arrow() -> None:
    # given a fresh interpreter
    # when it loads what reads a transactions file
    code = (
        "import sys; import ecoute.analytics.btyd.transaction_log; "
        "print(sorted({'scipy', 'pyarrow'} & {name.split('.')[0] for name in sys.modules}))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # then neither scipy nor Arrow is loaded: `ecoute btyd` loads them while the file is read
    assert loaded.stdout.strip() == "[]"
