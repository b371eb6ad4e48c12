"""`ecoute retention score`: the lifetime models fitted on the organization's purchases, each fit kept,
each customer's score stored with the status they have. `score_and_classify` (the command and the
scheduled task) then recomputes the statuses, since a low P(alive) makes a repeat buyer lost.

The summary is computed in SQL; the fitting and the scores with their intervals are the engine's
(ecoute/analytics/btyd): BG/NBD, MBG/NBD and Pareto/NBD are fitted and customers are scored with the
one of lowest AIC among those that are not degenerate; Gamma-Gamma gives the spend per purchase.
"""

# ruff: noqa: S608 - the statements are built from our own table names; values are parameters

import datetime as dt
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from itertools import batched, repeat
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.utils import timezone, translation

from ecoute.accounts.models import Organization
from ecoute.analytics.btyd.gamma_gamma import FittedSpend, NoRepeatBuyerError, fit_gamma_gamma
from ecoute.analytics.btyd.model import FittedModel
from ecoute.analytics.btyd.scoring import FITTERS, LifetimeReport, Scores
from ecoute.analytics.btyd.summary import CustomerSummary, RowCounts
from ecoute.retention.actions import recompute_organization_statuses
from ecoute.retention.activity_sql import EPOCH_ORDINAL
from ecoute.retention.btyd_warnings import warning_message
from ecoute.retention.models import CustomerScore, ModelFit, RetentionRules
from ecoute.retention.purchase_summary import PurchaseSummary, summarise_purchases

HORIZON_PERIODS = 52  # a year of weeks
DISCOUNT_RATE = 0.01  # per week
BATCH = 20_000


@dataclass
class ScoreTimings:
    """Seconds spent in each part, for the benchmark."""

    sql: float = 0.0
    fitting: float = 0.0
    writing: float = 0.0
    parts: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ScoreReport:
    customers: int
    scored_model: str | None
    fits: list[ModelFit]
    timings: ScoreTimings
    warnings: list[tuple[str, str]] = field(default_factory=list)
    """(model, what its fit's warning means) in the active language."""
    unreliable: bool = False
    """Every purchase model's fit is degenerate: the fits are kept, no score is stored."""


def _lowest_aic(fits: dict[str, FittedModel]) -> str:
    sound = {name: fitted for name, fitted in fits.items() if not fitted.degenerate} or fits
    return min(sound, key=lambda name: sound[name].aic)


def _engine_summary(summary: PurchaseSummary) -> CustomerSummary:
    rows = RowCounts(
        read=summary.purchase_rows + summary.refunds,
        purchases=summary.purchase_rows,
        refunds=summary.refunds,
        refund_amount=0.0,
        zero_amounts=0,
        before_start=0,
        in_holdout=0,
        after_end=0,
        customers_after_calibration=0,
    )
    return CustomerSummary(
        customer=np.arange(summary.customers, dtype=np.int64),
        frequency=summary.frequency,
        recency=summary.recency,
        age=summary.age,
        monetary_value=summary.monetary_value,
        holdout_frequency=None,
        holdout_periods=None,
        period_days=summary.period_days,
        rows=rows,
        first_day=summary.first_day,
        repeat_days=np.zeros(0, dtype=np.int64),
    )


def _fit_record(
    organization: Organization,
    name: str,
    fitted: FittedModel | FittedSpend,
    summary: PurchaseSummary,
    now: datetime,
) -> ModelFit:
    with translation.override("en"):
        warnings = [{**warning.as_dict(), "message": warning_message(warning)} for warning in fitted.warnings]
    first = dt.date.fromordinal(int(summary.first_day.min()) + EPOCH_ORDINAL)
    return ModelFit(
        organization=organization,
        model=name,
        parameters=fitted.model.params(),
        standard_errors=fitted.standard_errors() or {},
        log_likelihood=fitted.log_likelihood,
        window_start=datetime(first.year, first.month, first.day, tzinfo=dt.UTC),
        window_end=now,
        customers=fitted.customers,
        warnings=warnings,
        fitted_at=now,
    )


def _nullable(values: np.ndarray) -> list[float | None]:
    """The values as Python floats, None where not finite (a band the fit could not give)."""
    objects = values.astype(object)
    objects[~np.isfinite(values)] = None
    return list(objects.tolist())


def _score_rows(
    organization: Organization, summary: PurchaseSummary, scores: Scores, fit_id: int, at: object
) -> Iterator[tuple[Any, ...]]:
    # The purchase model's intervals are kept once per distinct history: spread to each customer.
    each = scores.history.index
    purchases = scores.purchases
    missing = np.full(summary.customers, np.nan)
    clv = scores.clv if scores.clv is not None else missing
    clv_low = scores.clv_band.low if scores.clv_band is not None else missing
    clv_high = scores.clv_band.high if scores.clv_band is not None else missing
    columns = [
        summary.frequency.astype(np.int64).tolist(),
        (summary.recency * summary.period_days).tolist(),
        (summary.age * summary.period_days).tolist(),
        np.round(summary.monetary_value, 2).tolist(),
        *[
            _nullable(array)
            for array in (
                scores.p_alive,
                purchases.p_alive.low[each],
                purchases.p_alive.high[each],
                scores.expected_purchases,
                purchases.expected_purchases.low[each],
                purchases.expected_purchases.high[each],
                clv,
                clv_low,
                clv_high,
            )
        ],
    ]
    count = summary.customers
    return zip(
        repeat(organization.pk, count),
        summary.customer_id.tolist(),
        repeat(fit_id, count),
        *columns,
        repeat("", count),
        repeat(at, count),
        strict=True,
    )


SCORE_COLUMNS = (
    "organization_id, customer_id, fit_id, frequency, recency_days, age_days, monetary, p_alive, "
    "p_alive_low, p_alive_high, expected_purchases, expected_purchases_low, expected_purchases_high, "
    "clv, clv_low, clv_high, status, computed_at"
)


def copy_statuses_to_scores(organization: Organization) -> None:
    """Each score carries the customer's status (blank for a customer who has none yet)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """UPDATE retention_customerscore SET status = COALESCE((SELECT s.status
                FROM retention_customerstatus s
                WHERE s.customer_id = retention_customerscore.customer_id), '')
            WHERE organization_id = %s""",
            [organization.pk],
        )


def _lock(organization: Organization) -> None:
    """Writers of an organization's scores and statuses take its row in turn: two scorings at once
    would each delete the scores the other had not written yet, then write theirs twice."""
    Organization.objects.select_for_update().filter(pk=organization.pk).first()


def _note_scored(organization: Organization, now: datetime) -> None:
    RetentionRules.objects.get_or_create(organization=organization)
    RetentionRules.objects.filter(organization=organization).update(scores_computed_at=now)


def score_customers(organization: Organization, now: datetime | None = None) -> ScoreReport:
    """Fit, keep the fits, store every customer's score with their current status."""
    now = now or timezone.now()
    timings = ScoreTimings()
    started = time.perf_counter()
    summary = summarise_purchases(organization, now)
    timings.sql += time.perf_counter() - started
    if summary.customers == 0:
        _note_scored(organization, now)  # nothing to score: the scheduled task need not come back soon
        return ScoreReport(0, None, [], timings)

    started = time.perf_counter()
    engine_summary = _engine_summary(summary)
    histories = engine_summary.histories()
    fits = {name: fitter(histories) for name, fitter in FITTERS.items()}
    if all(fitted.degenerate for fitted in fits.values()):
        return _keep_unreliable_fits(organization, fits, summary, now, timings)
    scored = _lowest_aic(fits)
    spend = None
    try:
        spend = fit_gamma_gamma(summary.frequency, summary.monetary_value)
    except NoRepeatBuyerError:
        spend = None
    report = LifetimeReport(
        summary=engine_summary,
        transactions=summary.purchase_rows,
        fits=fits,
        spend=spend,
        holdout=None,
        scored_model=scored,
        horizon=HORIZON_PERIODS,
        discount_rate=DISCOUNT_RATE,
        calibration_end=dt.date.fromordinal(summary.today + EPOCH_ORDINAL),
    )
    scores = report.scores
    timings.fitting += time.perf_counter() - started

    started = time.perf_counter()
    records = [_fit_record(organization, name, fitted, summary, now) for name, fitted in fits.items()]
    if spend is not None:
        records.append(_fit_record(organization, "gamma_gamma", spend, summary, now))
    at = connection.ops.adapt_datetimefield_value(now)
    with transaction.atomic():
        _lock(organization)
        ModelFit.objects.bulk_create(records)
        scored_fit = next(record for record in records if record.model == scored)
        CustomerScore.objects.filter(organization=organization).delete()
        marks = ", ".join(["%s"] * 18)
        with connection.cursor() as cursor:
            for batch in batched(
                _score_rows(organization, summary, scores, scored_fit.pk, at), BATCH, strict=False
            ):
                cursor.executemany(
                    f"INSERT INTO retention_customerscore ({SCORE_COLUMNS}) VALUES ({marks})", batch
                )
        copy_statuses_to_scores(organization)
        _note_scored(organization, now)
    timings.writing += time.perf_counter() - started

    engine_fits: dict[str, FittedModel | FittedSpend] = {**fits}
    if spend is not None:
        engine_fits["gamma_gamma"] = spend
    return ScoreReport(summary.customers, scored, records, timings, _warnings(engine_fits))


def _warnings(fits: Mapping[str, FittedModel | FittedSpend]) -> list[tuple[str, str]]:
    return [(name, warning_message(w)) for name, fitted in fits.items() for w in fitted.warnings]


def _keep_unreliable_fits(
    organization: Organization,
    fits: dict[str, FittedModel],
    summary: PurchaseSummary,
    now: datetime,
    timings: ScoreTimings,
) -> ScoreReport:
    """No model describes these purchases (no repeat buyer, too few customers, parameters at their
    edge): scores from such a fit are no estimates (everyone "0 % chance still active"), so none is
    stored and the scores of the last sound fit, if any, stay. The fits are kept with their warnings."""
    started = time.perf_counter()
    records = [_fit_record(organization, name, fitted, summary, now) for name, fitted in fits.items()]
    with transaction.atomic():
        _lock(organization)
        ModelFit.objects.bulk_create(records)
        _note_scored(organization, now)
    timings.writing += time.perf_counter() - started
    return ScoreReport(summary.customers, None, records, timings, _warnings(fits), unreliable=True)


def score_and_classify(organization: Organization, now: datetime | None = None) -> ScoreReport:
    """Score every customer, then recompute the statuses (the P(alive) rule reads the new scores) and
    copy them onto the scores."""
    now = now or timezone.now()
    report = score_customers(organization, now)
    started = time.perf_counter()
    recompute_organization_statuses(organization, now)
    copy_statuses_to_scores(organization)
    report.timings.parts["statuses"] = time.perf_counter() - started
    return report
