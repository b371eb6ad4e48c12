"""lifetimes 0.11.3's estimates and standard errors on the CDNOW sample (run in its own venv).

Its ParetoNBDFitter has no standard errors: BG/NBD, MBG/NBD and Gamma-Gamma only.

The reference values of tests/analytics/test_btyd_standard_errors.py come from this script:
    var/bench/lifetimes-venv/bin/python bench/btyd_lifetimes/standard_errors.py
(`python bench/btyd.py` builds that venv). Calibration ends 1997-09-30, periods are weeks.
"""

import json
from pathlib import Path

# pandas and lifetimes live in the benchmark's own venv, not in Écoute's.
import pandas as pd  # type: ignore
from lifetimes import (  # type: ignore
    BetaGeoFitter,
    GammaGammaFitter,
    ModifiedBetaGeoFitter,
)
from lifetimes.utils import summary_data_from_transaction_data  # type: ignore

CDNOW = Path(__file__).resolve().parents[2] / "tests" / "data" / "cdnow_sample_transactions.csv"


def main() -> None:
    transactions = pd.read_csv(CDNOW, dtype={"customer_id": str})
    summary = summary_data_from_transaction_data(
        transactions,
        "customer_id",
        "date",
        monetary_value_col="amount",
        observation_period_end="1997-09-30",
        freq="D",
        freq_multiplier=7,
    )
    frequency, recency, age = summary["frequency"], summary["recency"], summary["T"]
    result = {}
    for name, fitter in (
        ("bgnbd", BetaGeoFitter()),
        ("mbgnbd", ModifiedBetaGeoFitter()),
    ):
        fitter.fit(frequency, recency, age)
        result[name] = _estimates(fitter)
    repeat = summary[summary["frequency"] > 0]
    spend = GammaGammaFitter()
    spend.fit(repeat["frequency"], repeat["monetary_value"])
    result["gamma_gamma"] = _estimates(spend)
    print(json.dumps(result, indent=1))


def _estimates(fitter: object) -> dict[str, dict[str, float]]:
    return {
        "params": {key: float(value) for key, value in fitter.params_.items()},  # type: ignore[attr-defined]
        "standard_errors": {
            key: float(value)
            for key, value in fitter.standard_errors_.items()  # type: ignore[attr-defined]
        },
    }


if __name__ == "__main__":
    main()
