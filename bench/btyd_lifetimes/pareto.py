"""Time lifetimes' ParetoNBDFitter on the benchmark's histories (run in its own venv).

Usage: pareto.py HISTORIES.csv RESULT.json — the CSV has frequency,recency,T columns.
"""

import json
import sys
import time
from pathlib import Path

# pandas and lifetimes live in the benchmark's own venv, not in Écoute's.
import pandas as pd  # type: ignore
from lifetimes import ParetoNBDFitter  # type: ignore


def main() -> None:
    source, result_path = sys.argv[1:3]
    histories = pd.read_csv(source)
    started = time.perf_counter()
    fitter = ParetoNBDFitter()
    fitter.fit(histories["frequency"], histories["recency"], histories["T"])
    seconds = time.perf_counter() - started
    with Path(result_path).open("w") as stream:
        json.dump(
            {"seconds": seconds, "params": {key: float(value) for key, value in fitter.params_.items()}},
            stream,
        )


if __name__ == "__main__":
    main()
