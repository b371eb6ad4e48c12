"""The Gauss hypergeometric function 2F1(1, b; c; z) in log space, with its derivatives.

Pareto/NBD needs 2F1(r+s+x, ·; r+s+x+1; z); after Euler's transformation it becomes
(1 - z)^k · 2F1(1, b; c; z) with 0 < b < c and 0 <= z < 1, whose series has positive terms
bounded by z^k: no overflow however large x and T are. Maximum likelihood also needs the
derivatives with respect to b and c, which scipy does not give, so the series is summed here
with its term-by-term derivatives.
"""

from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from scipy.special import hyp2f1

type FloatArray = npt.NDArray[np.float64]

# Beyond this z the series converges too slowly; scipy's transformations take over.
SERIES_Z_MAX = 0.95
_MAX_TERMS = 5000
_RELATIVE_TOLERANCE = 1e-17
_STEP = 1e-5


class LogHyp2f1(NamedTuple):
    """ln 2F1(1, b; c; z) and its partial derivatives."""

    value: FloatArray
    d_b: FloatArray
    d_c: FloatArray
    d_z: FloatArray


def log_hyp2f1_unit(b: FloatArray, c: FloatArray, z: FloatArray) -> LogHyp2f1:
    """ln 2F1(1, b; c; z) for 0 < b, 0 < c, 0 <= z < 1, element-wise, with derivatives."""
    value = np.empty_like(z)
    d_b = np.empty_like(z)
    d_c = np.empty_like(z)
    d_z = np.empty_like(z)
    near_one = z > SERIES_Z_MAX
    by_series = np.flatnonzero(~near_one)
    if by_series.size:
        parts = _series(b[by_series], c[by_series], z[by_series])
        value[by_series], d_b[by_series], d_c[by_series], d_z[by_series] = parts
    by_scipy = np.flatnonzero(near_one)
    if by_scipy.size:
        parts = _transformed(b[by_scipy], c[by_scipy], z[by_scipy])
        value[by_scipy], d_b[by_scipy], d_c[by_scipy], d_z[by_scipy] = parts
    return LogHyp2f1(value, d_b, d_c, d_z)


def _series(b: FloatArray, c: FloatArray, z: FloatArray) -> LogHyp2f1:
    """Sum the series t_k = (b)_k / (c)_k z^k and its derivatives until every row converged."""
    n = z.size
    total = np.ones(n)
    sum_b = np.zeros(n)
    sum_c = np.zeros(n)
    sum_z = np.zeros(n)
    out_total = np.empty(n)
    out_b = np.empty(n)
    out_c = np.empty(n)
    out_z = np.empty(n)
    rows = np.arange(n)
    term = np.ones(n)
    harmonic_b = np.zeros(n)
    harmonic_c = np.zeros(n)
    tail = 1.0 - z
    for k in range(_MAX_TERMS):
        b_k = b + k
        c_k = c + k
        harmonic_b += 1.0 / b_k
        harmonic_c += 1.0 / c_k
        term_over_z = term * (b_k / c_k)
        term = term_over_z * z
        total += term
        sum_b += term * harmonic_b
        sum_c += term * harmonic_c
        sum_z += (k + 1) * term_over_z
        remaining = term * (k + 2 + harmonic_b + harmonic_c) + (k + 2) * term_over_z * z
        done = remaining <= _RELATIVE_TOLERANCE * total * tail
        if done.any():
            finished = rows[done]
            out_total[finished] = total[done]
            out_b[finished] = sum_b[done]
            out_c[finished] = sum_c[done]
            out_z[finished] = sum_z[done]
            keep = ~done
            if not keep.any():
                break
            rows, b, c, z, tail = rows[keep], b[keep], c[keep], z[keep], tail[keep]
            total, sum_b, sum_c, sum_z = total[keep], sum_b[keep], sum_c[keep], sum_z[keep]
            term, harmonic_b, harmonic_c = term[keep], harmonic_b[keep], harmonic_c[keep]
    else:  # pragma: no cover - z <= SERIES_Z_MAX converges in well under _MAX_TERMS terms
        out_total[rows], out_b[rows], out_c[rows], out_z[rows] = total, sum_b, sum_c, sum_z
    return LogHyp2f1(np.log(out_total), out_b / out_total, -out_c / out_total, out_z / out_total)


def _transformed(b: FloatArray, c: FloatArray, z: FloatArray) -> LogHyp2f1:
    """Near z = 1: scipy's value, derivatives in b and c by central differences.

    At extreme parameters scipy may return infinities; they propagate (and a fit rejects them).
    """
    with np.errstate(all="ignore"):
        return _transformed_values(b, c, z)


def _transformed_values(b: FloatArray, c: FloatArray, z: FloatArray) -> LogHyp2f1:
    one = np.ones_like(z)
    value = np.log(hyp2f1(one, b, c, z))
    d_z = b / c * hyp2f1(2.0 * one, b + 1.0, c + 1.0, z) / np.exp(value)
    step_b = _STEP * np.maximum(1.0, b)
    step_c = _STEP * np.maximum(1.0, c)
    d_b = (np.log(hyp2f1(one, b + step_b, c, z)) - np.log(hyp2f1(one, b - step_b, c, z))) / (2.0 * step_b)
    d_c = (np.log(hyp2f1(one, b, c + step_c, z)) - np.log(hyp2f1(one, b, c - step_c, z))) / (2.0 * step_c)
    return LogHyp2f1(value, d_b, d_c, d_z)


# Past this many terms the positive series is left unfinished (a peak near j = a z / (1 - z)
# of a hundred thousand terms needs purchase rates no data set has).
_POSITIVE_MAX_TERMS = 100_000
_RESCALE_ABOVE = 1e200


def log_decay_hyp2f1(a: FloatArray, b: FloatArray, c: FloatArray, z: FloatArray) -> FloatArray:
    """ln[(1 - z)^a 2F1(a, b; c; z)] for a, b, c > 0 and 0 <= z < 1, element-wise.

    Every term of the series is positive, so nothing cancels however large a, b and c are:
    where scipy's transformations lose every digit (a in the millions, z near 0 with a z
    moderate) this stays exact to rounding. The sum is rescaled as it grows, and the cost is
    the number of terms up to the peak of the series (about a z / (1 - z)) and a short tail.
    """
    a, b, c, z = (np.array(value, dtype=np.float64).ravel() for value in np.broadcast_arrays(a, b, c, z))
    result = a * np.log1p(-z)
    rows = np.arange(z.size)
    total = np.ones(z.size)
    term = np.ones(z.size)
    log_scale = np.zeros(z.size)
    for j in range(_POSITIVE_MAX_TERMS):
        term *= (a + j) * (b + j) / ((c + j) * (j + 1.0)) * z
        total += term
        large = total > _RESCALE_ABOVE
        if large.any():
            log_scale[large] += np.log(total[large])
            term[large] /= total[large]
            total[large] = 1.0
        # Past the peak the ratio of terms stays below max(next ratio, z): a geometric bound.
        ratio = np.maximum((a + j + 1) * (b + j + 1) / ((c + j + 1) * (j + 2.0)) * z, z)
        done = (ratio < 1.0) & (term * ratio <= _RELATIVE_TOLERANCE * total * (1.0 - ratio))
        if done.any():
            result[rows[done]] += log_scale[done] + np.log(total[done])
            keep = ~done
            if not keep.any():
                return result
            rows, a, b, c, z = rows[keep], a[keep], b[keep], c[keep], z[keep]
            total, term, log_scale = total[keep], term[keep], log_scale[keep]
    result[rows] = np.nan  # pragma: no cover - see _POSITIVE_MAX_TERMS
    return result
