"""What can go wrong with a fit on real data, found before anyone reads its numbers.

A maximum-likelihood fit reports "converged" when the gradient vanishes, which it also does
when the data cannot tell the parameters apart: nobody bought twice, one customer, ten
customers, or nobody dropping out (the parameters then run off towards the edge of their range,
where the likelihood is flat). Each such finding is a FitWarning with a code; `degenerate`
ones mean the estimates are not estimates at all. Messages are left to the caller (in the
user's language).
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

type FloatArray = npt.NDArray[np.float64]

# Below this many customers (repeat buyers for spend) four parameters are not identified.
MIN_CUSTOMERS = 30
# Below these a fit is possible but its numbers are too uncertain to be trusted as they stand.
TRUSTED_CUSTOMERS = 300
TRUSTED_REPEAT_BUYERS = 30
# Parameters are fitted on data rescaled so that sensible values lie near 1 (time so that the
# oldest customer is 10 periods old, money to a mean of 1). Beyond these bounds a parameter has
# run off towards 0 or infinity: the likelihood no longer depends on it.
SCALED_LOWER = 1e-4
SCALED_UPPER = 1e3
# A mean dropout (probability per purchase, or rate per rescaled period) under this: nobody leaves.
VANISHING_DROPOUT = 1e-4
# Smallest eigenvalue of the observed information (per customer, in log parameters) under which
# the likelihood is flat in some direction.
_FLAT = 1e-9


@dataclass(frozen=True)
class FitWarning:
    code: str
    """no_repeat_purchases, too_few_customers, small_sample, parameter_at_boundary, no_dropout,
    unidentified or not_converged."""
    degenerate: bool
    parameters: tuple[str, ...] = ()
    customers: int = 0
    repeat_buyers: int = 0

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "degenerate": self.degenerate, "parameters": list(self.parameters)}


def diagnose_fit(
    *,
    scaled_params: dict[str, float],
    log_hessian: FloatArray,
    customers: int,
    repeat_buyers: int,
    optimizer_converged: bool,
    dropout_vanishes: bool = False,
) -> tuple[FitWarning, ...]:
    """Warnings about a fit, from its data counts, its (rescaled) parameters and its Hessian."""
    warnings: list[FitWarning] = []
    if repeat_buyers == 0:
        warnings.append(FitWarning("no_repeat_purchases", degenerate=True, customers=customers))
    if customers < MIN_CUSTOMERS:
        warnings.append(
            FitWarning("too_few_customers", degenerate=True, customers=customers, repeat_buyers=repeat_buyers)
        )
    elif customers < TRUSTED_CUSTOMERS or repeat_buyers < TRUSTED_REPEAT_BUYERS:
        warnings.append(
            FitWarning("small_sample", degenerate=False, customers=customers, repeat_buyers=repeat_buyers)
        )
    at_edge = tuple(
        name for name, value in scaled_params.items() if not SCALED_LOWER <= value <= SCALED_UPPER
    )
    if repeat_buyers and dropout_vanishes:
        warnings.append(FitWarning("no_dropout", degenerate=True, parameters=at_edge))
    elif repeat_buyers and at_edge:
        warnings.append(FitWarning("parameter_at_boundary", degenerate=True, parameters=at_edge))
    if repeat_buyers and not at_edge and not information_is_positive(log_hessian, customers):
        warnings.append(FitWarning("unidentified", degenerate=True))
    if not optimizer_converged and not any(warning.degenerate for warning in warnings):
        warnings.append(FitWarning("not_converged", degenerate=True))
    return tuple(warnings)


def information_is_positive(log_hessian: FloatArray, customers: int) -> bool:
    """Whether minus the Hessian is positive definite, clearly enough to be inverted."""
    if not np.all(np.isfinite(log_hessian)):
        return False
    eigenvalues = np.linalg.eigvalsh(-log_hessian / max(customers, 1))
    return bool(eigenvalues.min() > _FLAT * max(1.0, float(eigenvalues.max())))


def log_covariance(log_hessian: FloatArray, customers: int) -> FloatArray | None:
    """Asymptotic covariance of the log parameters, or None when the fit is not identified."""
    if not information_is_positive(log_hessian, customers):
        return None
    covariance: FloatArray = np.linalg.inv(-log_hessian)
    return (covariance + covariance.T) / 2.0
