"""Maximum likelihood on log parameters, shared by every BTYD model."""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize

type FloatArray = npt.NDArray[np.float64]
type LogLikelihood = Callable[[FloatArray], tuple[float, FloatArray]]
"""Total log-likelihood and its gradient with respect to the natural (positive) parameters."""

# exp(±30) covers every sensible scale of periods and money; it keeps exp() finite.
_LOG_BOUND = 30.0


@dataclass(frozen=True)
class Maximum:
    params: FloatArray
    log_likelihood: float
    converged: bool
    evaluations: int


def maximise_log_likelihood(log_likelihood: LogLikelihood, start: FloatArray, weight_total: float) -> Maximum:
    """L-BFGS-B on log parameters; the objective is the mean negative log-likelihood.

    Working on log parameters keeps every parameter positive without active bounds; the mean
    rather than the sum keeps the stopping tolerances independent of the number of customers.
    """

    def objective(log_params: FloatArray) -> tuple[float, FloatArray]:
        params = np.exp(log_params)
        value, gradient = log_likelihood(params)
        if not np.isfinite(value):
            return np.inf, np.zeros_like(log_params)
        return -value / weight_total, -gradient * params / weight_total

    result = minimize(
        objective,
        np.log(start),
        jac=True,
        method="L-BFGS-B",
        bounds=[(-_LOG_BOUND, _LOG_BOUND)] * start.size,
        options={"maxiter": 1000, "ftol": 1e-15, "gtol": 1e-10, "maxcor": 20},
    )
    params = np.exp(np.asarray(result.x, dtype=np.float64))
    value, gradient = log_likelihood(params)
    # L-BFGS-B may stop on a line search that can no longer improve in floating point;
    # that is convergence when the gradient is negligible.
    scaled_gradient = np.abs(gradient * params) / weight_total
    converged = bool(result.success) or bool(np.all(scaled_gradient < 1e-6))
    return Maximum(params, value, converged, int(result.nfev))


def dot(left: FloatArray, right: FloatArray) -> float:
    """Inner product without BLAS.

    On vectors of this size BLAS threads gain nothing, and on a busy machine they stall: a
    likelihood evaluation measured 5 ms with einsum and 40 ms with `@` under load.
    """
    return float(np.einsum("i,i->", left, right))


def aic(log_likelihood: float, parameters: int) -> float:
    """Akaike information criterion: lower is better."""
    return 2.0 * parameters - 2.0 * log_likelihood
