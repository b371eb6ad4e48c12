"""The whole job on a transaction log: summarise, fit, compare, validate, score every customer."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ecoute.analytics.btyd.bgnbd import fit_bgnbd, fit_mbgnbd
from ecoute.analytics.btyd.gamma_gamma import FittedSpend, NoRepeatBuyerError, fit_gamma_gamma
from ecoute.analytics.btyd.holdout import HoldoutComparison, compare_holdout
from ecoute.analytics.btyd.model import FittedModel
from ecoute.analytics.btyd.pareto import fit_pareto_nbd
from ecoute.analytics.btyd.summary import CustomerSummary, summarise_transactions
from ecoute.analytics.btyd.transaction_log import TransactionLog

type FloatArray = npt.NDArray[np.float64]

FITTERS = {"bgnbd": fit_bgnbd, "mbgnbd": fit_mbgnbd, "pareto": fit_pareto_nbd}
MODEL_CHOICES = (*FITTERS, "all")
SCORE_COLUMNS = (
    "customer_id",
    "frequency",
    "recency",
    "T",
    "monetary_value",
    "p_alive",
    "expected_purchases",
    "clv",
)
_EPOCH = dt.date(1970, 1, 1)
_ROWS_PER_WRITE = 100_000


@dataclass(frozen=True)
class Scores:
    p_alive: FloatArray
    expected_purchases: FloatArray
    clv: FloatArray | None


@dataclass(frozen=True)
class LifetimeReport:
    summary: CustomerSummary
    transactions: int
    fits: dict[str, FittedModel]
    spend: FittedSpend | None
    holdout: HoldoutComparison | None
    scored_model: str
    horizon: int
    discount_rate: float

    def scores(self) -> Scores:
        """P(alive), expected purchases over the horizon and CLV of every customer."""
        model = self.fits[self.scored_model].model
        summary = self.summary
        x, t_x, age = summary.frequency, summary.recency, summary.age
        p_alive = model.p_alive(x, t_x, age)
        expected = model.expected_purchases(self.horizon, x, t_x, age)
        clv = None
        if self.spend is not None:
            purchases = model.discounted_purchases(self.horizon, self.discount_rate, x, t_x, age)
            clv = purchases * self.spend.model.expected_spend(x, summary.monetary_value)
        return Scores(p_alive, expected, clv)

    def as_dict(self) -> dict[str, object]:
        result: dict[str, object] = {
            "customers": self.summary.customers,
            "models": {
                name: {
                    "params": fitted.model.params(),
                    "loglik": fitted.log_likelihood,
                    "aic": fitted.aic,
                    "converged": fitted.converged,
                }
                for name, fitted in self.fits.items()
            },
        }
        if self.spend is not None:
            result["gamma_gamma"] = {
                "params": self.spend.model.params(),
                "customers": self.spend.customers,
                "loglik": self.spend.log_likelihood,
                "converged": self.spend.converged,
            }
        if self.holdout is not None:
            result["holdout"] = {"model": self.scored_model, **self.holdout.as_dict()}
        return result


def build_report(  # noqa: PLR0913 - the options of the command, one by one
    log: TransactionLog,
    *,
    calibration_end: dt.date,
    holdout_end: dt.date | None = None,
    models: str = "all",
    period_days: float = 7.0,
    horizon: int = 52,
    discount_rate: float = 0.01,
) -> LifetimeReport:
    """Fit the models asked for ('all' or one name of FITTERS) and Gamma-Gamma when amounts exist.

    Customers are scored with BG/NBD when it was fitted, otherwise with the one model asked for.
    """
    summary = summarise_transactions(
        log.customer,
        log.day,
        log.amount,
        calibration_end=(calibration_end - _EPOCH).days,
        holdout_end=None if holdout_end is None else (holdout_end - _EPOCH).days,
        period_days=period_days,
    )
    names = list(FITTERS) if models == "all" else [models]
    histories = summary.histories()
    fits = {name: FITTERS[name](histories) for name in names}
    scored_model = names[0]
    spend = None
    if log.amount is not None:
        try:
            spend = fit_gamma_gamma(summary.frequency, summary.monetary_value)
        except NoRepeatBuyerError:
            spend = None
    holdout = None
    if summary.holdout_frequency is not None and summary.holdout_periods is not None:
        holdout = compare_holdout(
            fits[scored_model].model,
            summary.frequency,
            summary.recency,
            summary.age,
            summary.holdout_frequency,
            summary.holdout_periods,
        )
    return LifetimeReport(
        summary=summary,
        transactions=log.rows,
        fits=fits,
        spend=spend,
        holdout=holdout,
        scored_model=scored_model,
        horizon=horizon,
        discount_rate=discount_rate,
    )


def write_scores(report: LifetimeReport, log: TransactionLog, path: Path) -> None:
    """One CSV row per customer (comma-separated, decimal point), in order of first appearance."""
    scores = report.scores()
    summary = report.summary
    with path.open("w", encoding="utf-8", newline="") as stream:
        stream.write(",".join(SCORE_COLUMNS) + "\n")
        for chunk in _chunks(summary.customers):
            ids = [_csv_text(text) for text in log.decoded_ids(summary.customer[chunk])]
            columns = [
                ids,
                _formatted(summary.frequency[chunk], 0),
                _formatted(summary.recency[chunk], 6),
                _formatted(summary.age[chunk], 6),
                _formatted(summary.monetary_value[chunk], 4),
                _formatted(scores.p_alive[chunk], 6),
                _formatted(scores.expected_purchases[chunk], 6),
                _formatted(scores.clv[chunk], 4) if scores.clv is not None else [""] * len(ids),
            ]
            stream.write("\n".join(map(",".join, zip(*columns, strict=True))) + "\n")


def _chunks(size: int) -> Iterator[slice]:
    for start in range(0, size, _ROWS_PER_WRITE):
        yield slice(start, min(start + _ROWS_PER_WRITE, size))


def _formatted(values: FloatArray, decimals: int) -> list[str]:
    """Shortest text of each value rounded to the decimals; empty for NaN."""
    if decimals == 0:
        return [str(value) for value in values.astype(np.int64).tolist()]
    rounded = np.round(values, decimals)
    texts: list[str] = rounded.astype(str).tolist()
    if np.isnan(rounded).any():
        return ["" if text == "nan" else text for text in texts]
    return texts


def _csv_text(text: str) -> str:
    if any(special in text for special in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text
