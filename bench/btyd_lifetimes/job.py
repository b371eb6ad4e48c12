"""The benchmark's end-to-end job done with lifetimes 0.11.3 (run in its own Python 3.11 venv).

Same steps as `ecoute btyd --model bgnbd --scores`: read the CSV, summarise, fit BG/NBD and
Gamma-Gamma, score every customer (P(alive), expected purchases, CLV), write the scores.
Usage: job.py TRANSACTIONS.csv CALIBRATION_END HORIZON_WEEKS SCORES.csv PARAMS.json [french|plain]
"""

import json
import sys
from pathlib import Path

# pandas and lifetimes live in the benchmark's own venv, not in Écoute's.
import pandas as pd  # type: ignore
from lifetimes import BetaGeoFitter, GammaGammaFitter  # type: ignore
from lifetimes.utils import summary_data_from_transaction_data  # type: ignore


def main() -> None:
    source, calibration_end, horizon, scores_path, params_path = sys.argv[1:6]
    plain = sys.argv[6:7] == ["plain"]
    transactions = pd.read_csv(
        source,
        sep="," if plain else ";",
        decimal="." if plain else ",",
        dtype={"customer_id": str, "date": str, "amount": float},
    )
    transactions["date"] = pd.to_datetime(transactions["date"], format="%Y-%m-%d" if plain else "%d/%m/%Y")
    summary = summary_data_from_transaction_data(
        transactions,
        "customer_id",
        "date",
        monetary_value_col="amount",
        observation_period_end=calibration_end,
        freq="D",
        freq_multiplier=7,
    )
    bgf = BetaGeoFitter()
    bgf.fit(summary["frequency"], summary["recency"], summary["T"])
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    ggf = GammaGammaFitter()
    ggf.fit(repeat["frequency"], repeat["monetary_value"])
    frequency, recency, age = summary["frequency"], summary["recency"], summary["T"]
    summary["p_alive"] = bgf.conditional_probability_alive(frequency, recency, age)
    summary["expected_purchases"] = bgf.conditional_expected_number_of_purchases_up_to_time(
        float(horizon), frequency, recency, age
    )
    # lifetimes counts the horizon in months of 30 days; 12 months for a 52-week horizon.
    summary["clv"] = ggf.customer_lifetime_value(
        bgf,
        frequency,
        recency,
        age,
        summary["monetary_value"],
        time=round(float(horizon) * 7 / 30.4),
        discount_rate=0.01,
        freq="W",
    )
    summary.to_csv(scores_path)
    with Path(params_path).open("w") as stream:
        json.dump(
            {
                "bgnbd": {key: float(value) for key, value in bgf.params_.items()},
                "gamma_gamma": {key: float(value) for key, value in ggf.params_.items()},
                "customers": len(summary),
            },
            stream,
        )


if __name__ == "__main__":
    main()
