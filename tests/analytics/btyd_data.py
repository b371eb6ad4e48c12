"""The CDNOW sample used by the BTYD tests, read once per test session."""

import datetime as dt
from functools import cache
from pathlib import Path

from ecoute.analytics.btyd import CustomerSummary, Histories, summarise_transactions
from ecoute.analytics.btyd.transaction_log import TransactionLog, read_transaction_log

# The copy kept in the repository, so that the tests depend on nothing outside it.
CDNOW = Path(__file__).resolve().parents[1] / "data" / "cdnow_sample_transactions.csv"
EPOCH = dt.date(1970, 1, 1)
CALIBRATION_END = dt.date(1997, 9, 30)
HOLDOUT_END = dt.date(1998, 6, 30)


def day_number(date: dt.date) -> int:
    return (date - EPOCH).days


@cache
def cdnow_log() -> TransactionLog:
    return read_transaction_log(CDNOW)


@cache
def cdnow_summary() -> CustomerSummary:
    log = cdnow_log()
    return summarise_transactions(
        log.customer,
        log.day,
        log.amount,
        calibration_end=day_number(CALIBRATION_END),
        holdout_end=day_number(HOLDOUT_END),
    )


@cache
def cdnow_histories() -> Histories:
    return cdnow_summary().histories()
