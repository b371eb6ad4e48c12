"""Refunds, zero amounts and rows outside the period studied are counted, never taken as purchases."""

import csv
import json
from pathlib import Path

import numpy as np

from ecoute.analytics.btyd import summarise_transactions
from tests.analytics.test_btyd_command import run_btyd

# Days since 1970-01-01: 19724 is 2024-01-02.
JANUARY_2 = 19724


def test_a_refund_is_not_a_purchase() -> None:
    # given customer 0 who bought, then was refunded a week later, and customer 1 who only bought
    customer = np.array([0, 0, 1])
    day = np.array([JANUARY_2, JANUARY_2 + 7, JANUARY_2])
    amount = np.array([30.0, -30.0, 30.0])
    # when the log is summarised
    summary = summarise_transactions(customer, day, amount, calibration_end=JANUARY_2 + 60, period_days=7.0)
    # then the refund adds no purchase, no recency and no spend: both customers look alike
    assert summary.frequency.tolist() == [0.0, 0.0]
    assert summary.recency.tolist() == [0.0, 0.0]
    assert summary.monetary_value.tolist() == [0.0, 0.0]
    assert summary.rows.refunds == 1
    assert summary.rows.refund_amount == -30.0


def test_zero_amounts_are_purchases_and_rows_outside_the_window_are_counted_and_left_out() -> None:
    # given a free item, a row before the start, one after the calibration end, and a customer
    # whose first purchase comes after it
    customer = np.array([0, 0, 0, 0, 0, 1])
    day = np.array(
        [JANUARY_2, JANUARY_2 + 3, JANUARY_2 - 400, JANUARY_2 + 14, JANUARY_2 + 90, JANUARY_2 + 95]
    )
    amount = np.array([10.0, 0.0, 10.0, 12.0, 10.0, 10.0])
    # when the log is summarised with a start and a calibration end
    summary = summarise_transactions(
        customer, day, amount, calibration_end=JANUARY_2 + 60, period_days=7.0, start=JANUARY_2 - 30
    )
    # then the three purchases in the window count, the free one with no spend, and every other
    # row is accounted for
    assert summary.customers == 1
    assert summary.frequency.tolist() == [2.0]
    assert summary.monetary_value.tolist() == [6.0]
    rows = summary.rows
    assert (rows.read, rows.purchases, rows.zero_amounts, rows.before_start, rows.after_end) == (
        6,
        3,
        1,
        1,
        2,
    )
    assert rows.customers_after_calibration == 1


def test_command_reports_refunds_and_never_gives_negative_value(tmp_path: Path) -> None:
    # given a French file where a customer's last row is a refund of everything they bought
    lines = ["client;date;montant"]
    for number in range(40):
        lines += [f"C{number};0{1 + number % 9}/01/2024;20,00", f"C{number};1{number % 9}/02/2024;15,00"]
    lines += ["R;02/01/2024;50,00", "R;05/02/2024;-50,00", "R;06/03/2024;-120,00", "Z;03/01/2024;0"]
    path = tmp_path / "ventes.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    scores = tmp_path / "scores.csv"
    arguments = [str(path), "--calibration-end=2024-06-30", "--customer-col=client", "--date-col=date"]
    arguments += ["--amount-col=montant", "--model=bgnbd", f"--scores={scores}"]
    # when the command runs
    report = json.loads(run_btyd(*arguments, "--json"))
    text = run_btyd(*arguments)
    # then refunds and zero amounts are counted and said, and nobody's value is negative
    assert report["rows"]["refunds"] == 2
    assert report["rows"]["refund_amount"] == -170.0
    assert report["rows"]["zero_amounts"] == 1
    assert "2 refunds (negative amounts, -170.00 in all) are not purchases" in text
    assert "1 row of zero amount counts as a purchase with nothing spent" in text
    with scores.open(newline="") as stream:
        rows = {row["customer_id"]: row for row in csv.DictReader(stream)}
    assert rows["Z"]["frequency"] == "0"
    assert rows["R"]["frequency"] == "0"
    assert all(float(row["clv"]) >= 0 for row in rows.values())
