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


def test_full_precision_columns_read_back_as_the_same_numbers(tmp_path: Path) -> None:
    # given values of every size, a P(alive) of 1e-14 among them
    path = tmp_path / "scores.csv"
    rng = np.random.default_rng(11)
    values = np.concatenate(
        [
            [1e-14, 0.1, 0.1 + 0.2, 79.32, -0.75, 2.0, 0.0, 5e-324, 1e300, np.nan, 1.2345678901234567e-10],
            rng.random(2000),
            rng.integers(0, 400, 2000) / 7.0,
            np.round(rng.gamma(2.0, 30.0, 2000), 2),
            rng.random(2000) ** 40,
        ]
    )
    ids = np.array([str(index).encode() for index in range(values.size)])
    # when they are written at full precision
    write_score_file(path, ["id", "p"], ids, [(values, None)])
    # then each reads back as the very same double, and is written as briefly as repr writes it
    with path.open(newline="") as stream:
        texts = [row["p"] for row in csv.DictReader(stream)]
    assert texts[:9] == [
        "1e-14",
        "0.1",
        "0.30000000000000004",
        "79.32",
        "-0.75",
        "2",
        "0",
        "5e-324",
        "1e+300",
    ]
    assert texts[9] == ""
    for text, value in zip(texts, values.tolist(), strict=True):
        if np.isfinite(value):
            assert float(text) == value
            assert len(text.lstrip("-").lstrip("0.")) <= len(repr(value)) + 1
