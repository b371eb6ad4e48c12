"""The scores file: plain CSV numbers with fixed decimals, ids quoted when they must be."""

import csv
from pathlib import Path

import numpy as np

from ecoute.analytics.btyd.score_file import write_score_file


def test_numbers_have_fixed_decimals_and_missing_values_are_empty(tmp_path: Path) -> None:
    # given ids, one of them with a comma and a quote, and values of every kind
    path = tmp_path / "scores.csv"
    ids = np.array([b"A", b'B, "the" second', b"\xc3\x89lise", b"D"])
    values = np.array([0.0, -2.25, np.nan, 123456.789])
    counts = np.array([0.0, 3.0, 12.0, np.inf])
    # when the file is written
    write_score_file(path, ["customer_id", "value", "count"], ids, [(values, 4), (counts, 0)])
    # then a CSV reader reads back exactly the text expected
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows == [
        ["customer_id", "value", "count"],
        ["A", "0.0000", "0"],
        ['B, "the" second', "-2.2500", "3"],
        ["Élise", "", "12"],
        ["D", "123456.7890", ""],
    ]


def test_small_values_keep_their_leading_zero(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    write_score_file(path, ["id", "p"], np.array([b"1", b"2"]), [(np.array([0.000123, 0.5]), 6)])
    assert path.read_text().splitlines()[1:] == ["1,0.000123", "2,0.500000"]
