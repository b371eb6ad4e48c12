"""Maximum likelihood on log parameters, shared by every BTYD model."""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ecoute.analytics.btyd.histories import Histories

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
    inverse_hessian: FloatArray | None = None
    """BFGS's last estimate of the inverse Hessian of the objective in log parameters."""


def maximise_log_likelihood(
    log_likelihood: LogLikelihood,
    start: FloatArray,
    weight_total: float,
    inverse_hessian: FloatArray | None = None,
) -> Maximum:
    """BFGS on log parameters; the objective is the mean negative log-likelihood.

    Working on log parameters keeps every parameter positive; the mean rather than the sum keeps
    the tolerances independent of the number of customers. With three or four parameters and
    exact gradients a plain BFGS converges in a few dozen evaluations, and needs nothing of
    scipy.optimize (whose import alone costs more than a fit).
    """

    def objective(log_params: FloatArray) -> tuple[float, FloatArray]:
        params = np.exp(log_params)
        # Far from the optimum the search may try parameters where a term overflows: such a
        # point is rejected (infinite objective), not reported.
        with np.errstate(all="ignore"):
            value, gradient = log_likelihood(params)
        if not np.isfinite(value) or not np.all(np.isfinite(gradient)):
            return np.inf, np.zeros_like(log_params)
        return -value / weight_total, -gradient * params / weight_total

    log_params, evaluations, converged, estimate = _bfgs(objective, np.log(start), inverse_hessian)
    params = np.exp(log_params)
    value, _ = log_likelihood(params)
    return Maximum(params, value, converged, evaluations, estimate)


# Tables of more rows than this are first fitted on a sample of about this many rows.
SAMPLE_ROWS = 25_000
# A sample's maximum this far inside the bounds of the search is a sound start.
_SOUND_START = _LOG_BOUND - 5.0


def sample_step(rows: int) -> int:
    """Every how many rows a sample of about SAMPLE_ROWS rows takes one (1: no sample)."""
    return max(1, rows // SAMPLE_ROWS)


def history_sample(histories: Histories) -> Histories | None:
    """A systematic sample of a large table of histories (sorted by frequency, recency and age,
    so that every part of the table is in it), each row weighing for the rows it stands for;
    None for a table small enough to fit on directly."""
    step = sample_step(histories.frequency.size)
    if step == 1:
        return None
    return Histories(
        histories.frequency[::step],
        histories.recency[::step],
        histories.age[::step],
        histories.weight[::step] * step,
    )


def maximise_from_sample(
    log_likelihood: LogLikelihood,
    start: FloatArray,
    weight_total: float,
    sample: tuple[LogLikelihood, float] | None,
) -> Maximum:
    """maximise_log_likelihood, started from the maximum of a sample's likelihood (the
    likelihood of a systematic sample of the rows, their weights scaled up, and its total
    weight) when one is given and that maximum is sound. Most iterations then run on the
    sample: the full likelihood, costly on a large table, needs a few more only, and its
    maximum is the same (the convergence test is the same)."""
    if sample is not None:
        rough = maximise_log_likelihood(sample[0], start, sample[1])
        if rough.converged and bool(np.all(np.abs(np.log(rough.params)) < _SOUND_START)):
            # The sample's curvature, as BFGS learnt it, is the full likelihood's too (both are
            # means per customer): the full search starts with it rather than learning it again.
            return maximise_log_likelihood(log_likelihood, rough.params, weight_total, rough.inverse_hessian)
    return maximise_log_likelihood(log_likelihood, start, weight_total)


_MAX_ITERATIONS = 500
_GRADIENT_TOLERANCE = 1e-10
# Where rounding stops progress, a gradient this small still means the maximum was reached.
_ACCEPTABLE_GRADIENT = 1e-6
_SUFFICIENT_DECREASE = 1e-4
_NO_PROGRESS = 1e-15
_LARGEST_STEP = 5.0


def _bfgs(
    objective: Callable[[FloatArray], tuple[float, FloatArray]],
    start: FloatArray,
    initial_inverse_hessian: FloatArray | None = None,
) -> tuple[FloatArray, int, bool, FloatArray]:
    """Minimise with BFGS and a backtracking line search, from an estimate of the inverse Hessian
    when one is given; return the point, the number of evaluations, whether it converged and the
    last estimate of the inverse Hessian."""
    size = start.size
    identity = np.eye(size)
    point = start.copy()
    value, gradient = objective(point)
    evaluations = 1
    if not np.isfinite(value):
        return point, evaluations, False, identity
    known = initial_inverse_hessian is not None and bool(np.all(np.isfinite(initial_inverse_hessian)))
    inverse_hessian = (
        identity.copy() if initial_inverse_hessian is None or not known else initial_inverse_hessian
    )
    first_update = not known
    for _ in range(_MAX_ITERATIONS):
        if float(np.max(np.abs(gradient))) < _GRADIENT_TOLERANCE:
            return point, evaluations, True, inverse_hessian
        direction = -np.einsum("ij,j->i", inverse_hessian, gradient)
        slope = dot(gradient, direction)
        if slope >= 0.0:  # the curvature estimate went wrong: restart from steepest descent
            inverse_hessian = identity.copy()
            direction, slope = -gradient, -dot(gradient, gradient)
        step = min(1.0, _LARGEST_STEP / float(np.max(np.abs(direction))))
        while True:
            candidate = np.clip(point + step * direction, -_LOG_BOUND, _LOG_BOUND)
            new_value, new_gradient = objective(candidate)
            evaluations += 1
            if new_value <= value + _SUFFICIENT_DECREASE * step * slope:
                break
            step *= 0.5
            if step < 1e-12:
                return point, evaluations, _acceptable(gradient), inverse_hessian
        if value - new_value <= _NO_PROGRESS * max(1.0, abs(value)):
            # Rounding, not the model, now decides: the maximum is reached if the gradient is nil.
            return candidate, evaluations, _acceptable(new_gradient), inverse_hessian
        moved = candidate - point
        change = new_gradient - gradient
        curvature = dot(moved, change)
        if curvature > 1e-300:
            if first_update:
                inverse_hessian = identity * (curvature / dot(change, change))
                first_update = False
            rho = 1.0 / curvature
            left = identity - rho * np.outer(moved, change)
            inverse_hessian = np.einsum("ij,jk,lk->il", left, inverse_hessian, left) + rho * np.outer(
                moved, moved
            )
        point, value, gradient = candidate, new_value, new_gradient
    return point, evaluations, _acceptable(gradient), inverse_hessian


def _acceptable(gradient: FloatArray) -> bool:
    """Whether a gradient is small enough to call the point a maximum where rounding stops
    progress."""
    return float(np.max(np.abs(gradient))) < _ACCEPTABLE_GRADIENT


def dot(left: FloatArray, right: FloatArray) -> float:
    """Inner product without BLAS.

    On vectors of this size BLAS threads gain nothing, and on a busy machine they stall: a
    likelihood evaluation measured 5 ms with einsum and 40 ms with `@` under load.
    """
    return float(np.einsum("i,i->", left, right))


def aic(log_likelihood: float, parameters: int) -> float:
    """Akaike information criterion: lower is better."""
    return 2.0 * parameters - 2.0 * log_likelihood


# Step in log parameters of the central differences of the exact gradient: the error of the
# difference (step² × third derivative) and of rounding (ε / step) are both near 1e-9.
_HESSIAN_STEP = 1e-5


def log_parameter_hessian(log_likelihood: LogLikelihood, params: FloatArray) -> FloatArray:
    """Hessian of the total log-likelihood with respect to the log parameters.

    Central differences of the exact gradient. At the maximum, minus its inverse is the
    asymptotic covariance of the log parameters, and θ_i² times its diagonal the variance of
    θ_i (the delta method; lifetimes' `standard_errors_` are the same quantity).
    """
    log_params = np.log(params)
    size = params.size
    hessian = np.empty((size, size))
    for column in range(size):
        sides = []
        for sign in (1.0, -1.0):
            shifted = log_params.copy()
            shifted[column] += sign * _HESSIAN_STEP
            point = np.exp(shifted)
            with np.errstate(all="ignore"):
                gradient = log_likelihood(point)[1]
            sides.append(gradient * point)
        hessian[:, column] = (sides[0] - sides[1]) / (2.0 * _HESSIAN_STEP)
    return (hessian + hessian.T) / 2.0
