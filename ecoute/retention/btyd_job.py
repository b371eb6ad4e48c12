"""`ecoute btyd FILE`: fit customer lifetime models on a transactions file and score customers.

Works on the file alone: no database, no app. The Django command (`manage.py btyd`) and the console
(`ecoute btyd`, which starts without the web application: see btyd_console) both run it.
"""

import datetime as dt
import json
import sys
import threading
from argparse import ArgumentParser, ArgumentTypeError
from contextlib import ExitStack
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from ecoute.analytics.btyd.diagnostics import FitWarning
from ecoute.analytics.btyd.holdout import ChartLabels, holdout_chart_svg
from ecoute.analytics.btyd.names import MODEL_CHOICES
from ecoute.analytics.btyd.summary import NoCustomerError, RowCounts
from ecoute.analytics.btyd.transaction_log import (
    BadValueError,
    EmptyFileError,
    FieldCountError,
    MissingColumnError,
    TransactionFileError,
    read_transaction_log,
)
from ecoute.lib.quantities import grouped, significant
from ecoute.retention.btyd_options import BtydError, checked_numbers
from ecoute.retention.btyd_warnings import warning_message

if TYPE_CHECKING:
    from ecoute.analytics.btyd.histories import DistinctHistories
    from ecoute.analytics.btyd.score_file import LineStarts
    from ecoute.analytics.btyd.scoring import LifetimeReport
    from ecoute.analytics.btyd.summary import CustomerSummary

DESCRIPTION = gettext_noop(
    "Fit BG/NBD, MBG/NBD, Pareto/NBD and Gamma-Gamma on a transactions file; score customers."
)
"""What the command does, for its help (translated where it is shown)."""

# What the fits and the scores file need beyond numpy; loaded while the file is read (numpy
# leaves the interpreter free while it parses), rather than before.
_LOADED_WHILE_READING = ("scipy.special", "pyarrow.compute")


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ArgumentTypeError(
            _("expected a date as YYYY-MM-DD, got %(value)s") % {"value": value}
        ) from None


class Output(Protocol):
    """Where the command writes: Django's OutputWrapper, or the console's."""

    def write(self, msg: str = "", style_func: Any = None, ending: str | None = None) -> None: ...

    def flush(self) -> None: ...


def add_arguments(parser: ArgumentParser) -> None:
    """The command's arguments and options."""
    parser.add_argument("file", type=Path, help=_("CSV file of transactions (; , or tab)"))
    parser.add_argument(
        "--calibration-end",
        type=_date,
        required=True,
        metavar="YYYY-MM-DD",
        help=_("last day of the period the models learn from"),
    )
    parser.add_argument(
        "--start",
        type=_date,
        metavar="YYYY-MM-DD",
        help=_("first day a transaction may be dated; earlier rows are counted and left out"),
    )
    parser.add_argument(
        "--holdout-end",
        type=_date,
        metavar="YYYY-MM-DD",
        help=_("compare predicted and actual purchases up to this day"),
    )
    parser.add_argument(
        "--model", choices=MODEL_CHOICES, default="all", help=_("models to fit (default: all)")
    )
    parser.add_argument("--period-days", default="7", help=_("length of a period in days"))
    parser.add_argument("--horizon", default="52", help=_("periods ahead for purchases and value"))
    parser.add_argument("--discount-rate", default="0.01", help=_("discount rate per period"))
    parser.add_argument("--customer-col", default="customer_id", help=_("customer id column"))
    parser.add_argument("--date-col", default="date", help=_("purchase date column"))
    parser.add_argument("--amount-col", default=None, help=_("amount column (default: amount, if present)"))
    parser.add_argument(
        "--scores", type=Path, metavar="OUT.csv", help=_("write one row of scores per customer")
    )
    parser.add_argument("--json", action="store_true", help=_("print one JSON object"))
    parser.add_argument("--svg", type=Path, metavar="OUT.svg", help=_("draw the holdout comparison"))


def run_job(options: dict[str, Any], stdout: Output, stderr: Output) -> None:
    """Run the command with its parsed options; BtydError says what stops it."""
    calibration_end: dt.date = options["calibration_end"]
    holdout_end: dt.date | None = options["holdout_end"]
    if holdout_end is not None and holdout_end <= calibration_end:
        raise BtydError(_("The holdout end must come after the calibration end."))
    if options["svg"] is not None and holdout_end is None:
        raise BtydError(_("--svg draws the holdout comparison: give --holdout-end too."))
    numbers = checked_numbers(
        str(options["period_days"]), str(options["horizon"]), str(options["discount_rate"])
    )

    path: Path = options["file"]
    progress = _Progress(stderr) if sys.stderr.isatty() else None
    _load_in_background(_LOADED_WHILE_READING)
    try:
        log = read_transaction_log(
            path,
            customer_column=options["customer_col"],
            date_column=options["date_col"],
            amount_column=options["amount_col"] or "amount",
            amount_required=options["amount_col"] is not None,
            progress=progress.reading if progress else None,
        )
    except OSError as error:
        raise BtydError(
            _("Cannot read %(path)s: %(reason)s") % {"path": path, "reason": error.strerror}
        ) from None
    except TransactionFileError as error:
        raise BtydError(_file_error_message(path, error)) from None
    if progress:
        progress.say(_("Fitting models…"))
    from ecoute.analytics.btyd.scoring import build_report, score_line_starts, write_scores

    customer_ids = log.customer_ids
    with ExitStack() as stack:
        starts: list[LineStarts] = []

        def start_scores_file(summary: "CustomerSummary", distinct: "DistinctHistories") -> None:
            # The lines of the scores file are begun while the models are fitted.
            starts.append(stack.enter_context(score_line_starts(summary, distinct, customer_ids)))

        try:
            report = build_report(
                log,
                calibration_end=calibration_end,
                holdout_end=holdout_end,
                models=options["model"],
                period_days=numbers.period_days,
                horizon=numbers.horizon,
                discount_rate=numbers.discount_rate,
                start=options["start"],
                on_histories=None if options["scores"] is None else start_scores_file,
            )
        except NoCustomerError:
            raise BtydError(
                _("No customer made a first purchase on or before the calibration end %(date)s.")
                % {"date": calibration_end.isoformat()}
            ) from None
        # Only the ids of the log are needed from here: its rows' columns are freed before the
        # customers are scored.
        del log
        if options["scores"] is not None:
            if progress:
                progress.say(_("Writing scores…"))
            try:
                write_scores(report, customer_ids, options["scores"], starts[0] if starts else None)
            except OSError as error:
                raise BtydError(
                    _("Cannot write %(path)s: %(reason)s")
                    % {"path": options["scores"], "reason": error.strerror}
                ) from None
    if options["svg"] is not None:
        _write_svg(report, options["svg"])
    if progress:
        progress.done()
    if options["json"]:
        stdout.write(json.dumps(report.as_dict(warning_message)))
    else:
        stdout.write(_report_table(report))


def _load_in_background(modules: tuple[str, ...]) -> None:
    """Import third-party modules in a thread. A failure is left for the import that needs the
    module to report."""

    def load() -> None:
        for module in modules:
            try:
                import_module(module)
            except Exception:
                return

    threading.Thread(target=load, name="btyd-imports", daemon=True).start()


def _file_error_message(path: Path, error: TransactionFileError) -> str:
    match error:
        case MissingColumnError(column=column, found=found):
            return _('Column "%(column)s" not found in %(path)s; its columns are: %(found)s.') % {
                "column": column,
                "path": path,
                "found": ", ".join(found),
            }
        case FieldCountError(line=line, expected=expected, found=found):
            return _("Line %(line)d has %(found)d fields; the header has %(expected)d.") % {
                "line": line,
                "found": found,
                "expected": expected,
            }
        case BadValueError(line=line, column=column, value=value, kind="date"):
            message = _(
                'Line %(line)d, column "%(column)s": "%(value)s" is not a date '
                "(expected dd/mm/yyyy, yyyy-mm-dd or yyyymmdd)."
            )
            return message % {"line": line, "column": column, "value": value}
        case BadValueError(line=line, column=column, value=value, kind="amount"):
            message = _('Line %(line)d, column "%(column)s": "%(value)s" is not an amount.')
            return message % {"line": line, "column": column, "value": value}
        case BadValueError(line=line, column=column, value=value):
            message = _('Line %(line)d, column "%(column)s": "%(value)s" is too long for an id.')
            return message % {"line": line, "column": column, "value": value[:40] + "…"}
        case EmptyFileError():
            return _("%(path)s has no transactions.") % {"path": path}
    return _("%(path)s cannot be read as a transactions file.") % {"path": path}


def _write_svg(report: "LifetimeReport", path: Path) -> None:
    if report.holdout is None:  # pragma: no cover - checked with the arguments
        return
    labels = ChartLabels(
        title=_("Holdout purchases per customer (%(model)s)") % {"model": report.scored_model},
        x_axis=_("Repeat purchases in the calibration period"),
        y_axis=_("Mean purchases in the holdout period"),
        actual=_("Actual"),
        predicted=_("Predicted"),
    )
    try:
        path.write_text(holdout_chart_svg(report.holdout, labels), encoding="utf-8")
    except OSError as error:
        raise BtydError(
            _("Cannot write %(path)s: %(reason)s") % {"path": path, "reason": error.strerror}
        ) from None


def _report_table(report: "LifetimeReport") -> str:
    lines = [
        ngettext("%(customers)s customer", "%(customers)s customers", report.summary.customers)
        % {"customers": grouped(report.summary.customers)}
        + ", "
        + ngettext("%(transactions)s transaction.", "%(transactions)s transactions.", report.transactions)
        % {"transactions": grouped(report.transactions)},
        *_row_lines(report.summary.rows),
        "",
        # Headings outside f-strings, where makemessages finds them.
        " ".join([_("model").ljust(10), _("parameters").ljust(56), _("log-lik.").rjust(14), "AIC".rjust(14)])
        + "  "
        + _("converged"),
    ]
    for name, fitted in report.fits.items():
        params = "  ".join(f"{key}={significant(value)}" for key, value in fitted.model.params().items())
        lines.append(
            f"{name:<10} {params:<56} {grouped(fitted.log_likelihood, 1):>14} {grouped(fitted.aic, 1):>14}  "
            + (_("yes") if fitted.converged else _("no"))
        )
    if report.spend is not None:
        params = "  ".join(
            f"{key}={significant(value)}" for key, value in report.spend.model.params().items()
        )
        lines.append(
            f"{'gamma':<10} {params:<56} "
            + _("(%(count)s repeat buyers)") % {"count": grouped(report.spend.customers)}
        )
    if report.chosen_by_aic:
        lines.append(
            _("Customers are scored with %(model)s, the model of lowest AIC.")
            % {"model": report.scored_model}
        )
    warned: list[tuple[str, tuple[FitWarning, ...]]] = [
        (name, fit.warnings) for name, fit in report.fits.items()
    ]
    if report.spend is not None:
        warned.append(("gamma", report.spend.warnings))
    lines += [
        _("Warning (%(model)s): %(message)s") % {"model": name, "message": warning_message(warning)}
        for name, warnings in warned
        for warning in warnings
    ]
    if report.holdout is not None:
        lines += [
            "",
            _("Holdout: mean purchases per customer, by calibration repeat purchases (%(model)s)")
            % {"model": report.scored_model},
            " ".join(
                [
                    _("repeat").rjust(8),
                    _("customers").rjust(10),
                    _("actual").rjust(10),
                    _("predicted").rjust(10),
                ]
            ),
        ]
        holdout = report.holdout
        for label, count, actual, predicted in zip(
            holdout.labels, holdout.customers, holdout.actual, holdout.predicted, strict=True
        ):
            lines.append(
                f"{label:>8} {grouped(count):>10} {grouped(actual, 3):>10} {grouped(predicted, 3):>10}"
            )
        lines.append(
            _("total").rjust(8)
            + f" {grouped(sum(holdout.customers)):>10} {grouped(holdout.total_actual, 0):>10} "
            f"{grouped(holdout.total_predicted, 0):>10}"
        )
    return "\n".join(lines)


def _row_lines(rows: RowCounts) -> list[str]:
    """How refunds, zero amounts and rows outside the period were treated, when there are any."""
    lines = []
    if rows.refunds:
        lines.append(
            ngettext(
                "%(count)s refund (negative amount, %(amount)s in all) is not a purchase: left out of "
                "frequency, recency and spend.",
                "%(count)s refunds (negative amounts, %(amount)s in all) are not purchases: left out of "
                "frequency, recency and spend.",
                rows.refunds,
            )
            % {"count": grouped(rows.refunds), "amount": grouped(rows.refund_amount, 2)}
        )
    if rows.zero_amounts:
        lines.append(
            ngettext(
                "%(count)s row of zero amount counts as a purchase with nothing spent.",
                "%(count)s rows of zero amount count as purchases with nothing spent.",
                rows.zero_amounts,
            )
            % {"count": grouped(rows.zero_amounts)}
        )
    if rows.before_start:
        lines.append(
            ngettext(
                "%(count)s row dated before the start: left out.",
                "%(count)s rows dated before the start: left out.",
                rows.before_start,
            )
            % {"count": grouped(rows.before_start)}
        )
    if rows.after_end:
        lines.append(
            ngettext(
                "%(count)s row dated after the end of the period studied: left out.",
                "%(count)s rows dated after the end of the period studied: left out.",
                rows.after_end,
            )
            % {"count": grouped(rows.after_end)}
        )
    if rows.customers_after_calibration:
        lines.append(
            ngettext(
                "%(count)s customer first bought after the calibration end: not scored.",
                "%(count)s customers first bought after the calibration end: not scored.",
                rows.customers_after_calibration,
            )
            % {"count": grouped(rows.customers_after_calibration)}
        )
    return lines


class _Progress:
    """A single self-rewriting status line on a terminal."""

    def __init__(self, stream: Output) -> None:
        self.stream = stream
        self.shown = -1

    def reading(self, fraction: float) -> None:
        percent = int(fraction * 100)
        if percent != self.shown:
            self.shown = percent
            self.stream.write("\r" + _("Reading… %(percent)d%%") % {"percent": percent}, ending="")
            self.stream.flush()

    def say(self, text: str) -> None:
        self.stream.write("\r\033[K" + text, ending="")
        self.stream.flush()

    def done(self) -> None:
        self.stream.write("\r\033[K", ending="")
        self.stream.flush()
