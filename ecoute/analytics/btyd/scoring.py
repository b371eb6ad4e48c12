"""The whole job on a transaction log: summarise, fit, compare, validate, score every customer."""

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ecoute.analytics.btyd.bgnbd import fit_bgnbd, fit_mbgnbd
from ecoute.analytics.btyd.diagnostics import FitWarning
from ecoute.analytics.btyd.gamma_gamma import FittedSpend, NoRepeatBuyerError, fit_gamma_gamma
from ecoute.analytics.btyd.histories import DistinctHistories, distinct_histories
from ecoute.analytics.btyd.holdout import HoldoutComparison, compare_holdout
from ecoute.analytics.btyd.memory import release_free_memory
from ecoute.analytics.btyd.model import FittedModel, Forecast
from ecoute.analytics.btyd.names import PURCHASE_MODELS
from ecoute.analytics.btyd.pareto import fit_pareto_nbd
from ecoute.analytics.btyd.score_file import LineStarts, SharedColumn, write_score_lines
from ecoute.analytics.btyd.summary import CustomerSummary, summarise_transactions
from ecoute.analytics.btyd.tracking import track_repeat_purchases
from ecoute.analytics.btyd.transaction_log import TransactionLog
from ecoute.analytics.btyd.uncertainty import (
    Band,
    PurchaseIntervals,
    Total,
    purchase_intervals,
    value_interval,
)

type FloatArray = npt.NDArray[np.float64]

FITTERS = dict(zip(PURCHASE_MODELS, (fit_bgnbd, fit_mbgnbd, fit_pareto_nbd), strict=True))
SCORE_COLUMNS = (
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
)
_EPOCH = dt.date(1970, 1, 1)
# Version of the JSON report's layout (README, "The JSON report"); raised when a key changes meaning.
FORMAT_VERSION = 2
type Describe = Callable[[FitWarning], str]


def _code(warning: FitWarning) -> str:
    return warning.code


@dataclass(frozen=True)
class Scores:
    """Every customer's scores. Those of the purchase model depend on a customer only through
    their history: they are kept once per distinct history (`by_history`), and `history.index`
    gives each customer's row."""

    history: DistinctHistories
    by_history: Forecast
    """P(alive), expected purchases and discounted purchases per distinct history."""
    purchases: PurchaseIntervals
    dert: FloatArray
    """Discounted expected residual transactions per distinct history: infinite horizon,
    continuous discounting."""
    clv: FloatArray | None
    """Per customer."""
    clv_band: Band | None
    total_clv: Total | None
    dert_value: FloatArray | None
    """DERT times the expected spend per purchase, per customer."""

    @property
    def p_alive(self) -> FloatArray:
        return self.by_history.p_alive[self.history.index]

    @property
    def expected_purchases(self) -> FloatArray:
        return self.by_history.expected_purchases[self.history.index]

    @property
    def total_dert(self) -> float:
        with np.errstate(all="ignore"):
            return float(np.nansum(self.history.count * self.dert))


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
    calibration_end: dt.date
    holdout_end: dt.date | None = None
    start: dt.date | None = None
    distinct: DistinctHistories | None = None
    """The customers' distinct histories, when computed beforehand (see build_report)."""

    @property
    def chosen_by_aic(self) -> bool:
        """Whether the scored model was chosen among several, as the one of lowest AIC."""
        return len(self.fits) > 1

    @cached_property
    def scores(self) -> Scores:
        """P(alive), expected purchases and CLV of every customer, with intervals."""
        fitted = self.fits[self.scored_model]
        summary = self.summary
        history = self.distinct
        if history is None:
            history = distinct_histories(summary.frequency, summary.recency, summary.age)
        x, t_x, age = history.frequency, history.recency, history.age
        # DERT is computed in a thread while the forecast is made (scipy's special functions
        # leave the interpreter free).
        with ThreadPoolExecutor(1) as pool:
            dert_job = pool.submit(fitted.model.dert, self.discount_rate, x, t_x, age)
            forecast = fitted.model.forecast(self.horizon, self.discount_rate, x, t_x, age)
            purchases = purchase_intervals(
                fitted, forecast, history, horizon=self.horizon, discount_rate=self.discount_rate
            )
            dert = dert_job.result()
        if self.spend is None:
            return Scores(history, forecast, purchases, dert, None, None, None, None)
        spend = self.spend.model.expected_spend(summary.frequency, summary.monetary_value)
        clv = forecast.discounted_purchases[history.index] * spend
        band, total = value_interval(
            purchases,
            fitted,
            self.spend,
            clv,
            distinct=history,
            frequency=summary.frequency,
            monetary_value=summary.monetary_value,
        )
        scores = Scores(history, forecast, purchases, dert, clv, band, total, dert[history.index] * spend)
        del spend
        release_free_memory()
        return scores

    def as_dict(self, describe: Describe = _code) -> dict[str, object]:
        """The report as JSON-ready values; `describe` turns a warning into a sentence."""
        result: dict[str, object] = {
            "format_version": FORMAT_VERSION,
            "scored_model": self.scored_model,
            "scored_model_chosen_by": "lowest_aic" if self.chosen_by_aic else "request",
            "calibration_end": self.calibration_end.isoformat(),
            "holdout_end": None if self.holdout_end is None else self.holdout_end.isoformat(),
            "start": None if self.start is None else self.start.isoformat(),
            "period_days": self.summary.period_days,
            "horizon": self.horizon,
            "discount_rate": self.discount_rate,
            "customers": self.summary.customers,
            "rows": self.summary.rows.as_dict(),
            "models": {name: _fit_dict(fitted, describe) for name, fitted in self.fits.items()},
        }
        if self.spend is not None:
            result["gamma_gamma"] = {
                "customers": self.spend.customers,
                **_fit_dict(self.spend, describe),
            }
        scores = self.scores
        totals: dict[str, object] = {
            "expected_purchases": scores.purchases.total_expected_purchases.as_dict(),
            "dert": scores.total_dert,
        }
        if scores.total_clv is not None and scores.dert_value is not None:
            totals["clv"] = scores.total_clv.as_dict()
            totals["dert_value"] = float(np.nansum(scores.dert_value))
        result["totals"] = totals
        if self.holdout is not None and self.holdout_end is not None:
            tracking = track_repeat_purchases(
                self.fits[self.scored_model].model,
                first_day=self.summary.first_day,
                repeat_days=self.summary.repeat_days,
                last_day=(self.holdout_end - _EPOCH).days,
                period_days=self.summary.period_days,
            )
            result["holdout"] = {
                "model": self.scored_model,
                **self.holdout.as_dict(),
                "weekly_tracking": [
                    {
                        "week_end": (_EPOCH + dt.timedelta(days=day)).isoformat(),
                        "actual": actual,
                        "predicted": predicted,
                    }
                    for day, actual, predicted in zip(
                        tracking.day, tracking.actual, tracking.predicted, strict=True
                    )
                ],
            }
        return result


def _fit_dict(fitted: FittedModel | FittedSpend, describe: Describe) -> dict[str, object]:
    return {
        "params": fitted.model.params(),
        "standard_errors": fitted.standard_errors(),
        "loglik": fitted.log_likelihood,
        "aic": fitted.aic,
        "converged": fitted.converged,
        "degenerate": fitted.degenerate,
        "warnings": [{**warning.as_dict(), "message": describe(warning)} for warning in fitted.warnings],
    }


def build_report(
    log: TransactionLog,
    *,
    calibration_end: dt.date,
    holdout_end: dt.date | None = None,
    models: str = "all",
    period_days: float = 7.0,
    horizon: int = 52,
    discount_rate: float = 0.01,
    start: dt.date | None = None,
    on_histories: Callable[[CustomerSummary, DistinctHistories], object] | None = None,
) -> LifetimeReport:
    """Fit the models asked for ('all' or one name of FITTERS) and Gamma-Gamma when amounts exist.

    Customers are scored with the model of lowest AIC among those fitted. `on_histories` is
    called with the summary and the customers' distinct histories as soon as they are known,
    before the fits (see score_line_starts).
    """
    summary = summarise_transactions(
        log.customer,
        log.day,
        log.amount,
        calibration_end=(calibration_end - _EPOCH).days,
        holdout_end=None if holdout_end is None else (holdout_end - _EPOCH).days,
        period_days=period_days,
        start=None if start is None else (start - _EPOCH).days,
    )
    release_free_memory()
    names = list(FITTERS) if models == "all" else [models]
    # The spend model is fitted in a thread while the customers' distinct histories are found
    # and the purchase models fitted on them (numpy and scipy leave the interpreter free on
    # arrays this large). Scoring needs each customer's row among the distinct histories too.
    with ThreadPoolExecutor(1) as pool:
        spend_job = None if log.amount is None else pool.submit(_fit_spend, summary)
        distinct = summary.distinct_histories()
        if on_histories is not None:
            on_histories(summary, distinct)
        histories = distinct.histories()
        fits = {name: FITTERS[name](histories) for name in names}
        spend = None if spend_job is None else spend_job.result()
    scored_model = _lowest_aic(fits)
    holdout = None
    if summary.holdout_frequency is not None and summary.holdout_periods is not None:
        holdout = compare_holdout(
            fits[scored_model].model,
            frequency=summary.frequency,
            recency=summary.recency,
            age=summary.age,
            holdout_frequency=summary.holdout_frequency,
            holdout_periods=summary.holdout_periods,
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
        calibration_end=calibration_end,
        holdout_end=holdout_end,
        start=start,
        distinct=distinct,
    )


def _fit_spend(summary: CustomerSummary) -> FittedSpend | None:
    try:
        return fit_gamma_gamma(summary.frequency, summary.monetary_value)
    except NoRepeatBuyerError:
        return None


def _lowest_aic(fits: dict[str, FittedModel]) -> str:
    """The fit of lowest AIC among those that are not degenerate (among all if every one is)."""
    sound = {name: fitted for name, fitted in fits.items() if not fitted.degenerate} or fits
    return min(sound, key=lambda name: sound[name].aic)


def score_line_starts(
    summary: CustomerSummary, distinct: DistinctHistories, customer_ids: npt.NDArray[np.bytes_]
) -> LineStarts:
    """The start of each line of the scores file: the customer's id and the columns of the
    summary, laid out as text in a thread from now on (while the models are fitted and the
    customers scored). customer_ids is the log's table of ids (TransactionLog.customer_ids)."""

    def shared(values: FloatArray) -> SharedColumn:
        return SharedColumn(values, distinct.index)

    return LineStarts(
        customer_ids[summary.customer],
        [
            (shared(distinct.frequency), 0),
            (shared(distinct.recency), None),
            (shared(distinct.age), None),
            (summary.monetary_value, None),
        ],
    )


def write_scores(
    report: LifetimeReport,
    customer_ids: npt.NDArray[np.bytes_],
    path: Path,
    starts: LineStarts | None = None,
) -> None:
    """One CSV row per customer (comma-separated, decimal point), in customer id order;
    customer_ids is the log's table of ids (TransactionLog.customer_ids). `starts`, when given,
    are the lines' starts made by score_line_starts for this report."""
    summary = report.summary
    history = report.distinct if report.distinct is not None else report.scores.history

    def shared(values: FloatArray) -> SharedColumn:
        return SharedColumn(values, history.index)

    if starts is None:
        starts = score_line_starts(summary, history, customer_ids)
    with starts:
        scores = report.scores
        purchases = scores.purchases
        missing = np.full(summary.customers, np.nan)
        clv_band = scores.clv_band if scores.clv_band is not None else Band(missing, missing)
        write_score_lines(
            path,
            SCORE_COLUMNS,
            starts,
            [
                (shared(scores.by_history.p_alive), None),
                (shared(purchases.p_alive.low), None),
                (shared(purchases.p_alive.high), None),
                (shared(scores.by_history.expected_purchases), None),
                (shared(purchases.expected_purchases.low), None),
                (shared(purchases.expected_purchases.high), None),
                (scores.clv if scores.clv is not None else missing, None),
                (clv_band.low, None),
                (clv_band.high, None),
                (shared(scores.dert), None),
                (scores.dert_value if scores.dert_value is not None else missing, None),
            ],
        )
