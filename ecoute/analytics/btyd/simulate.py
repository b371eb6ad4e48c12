"""Purchase histories drawn from the models themselves: for tests of parameter recovery and for
benchmarks. Times are in periods from each customer's first purchase, which is at 0.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

type FloatArray = npt.NDArray[np.float64]
type IntArray = npt.NDArray[np.int64]

# Rates this small mean "never buys again"; the floor avoids a division by zero.
_RATE_FLOOR = 1e-300


@dataclass(frozen=True)
class SimulatedPurchases:
    """Every purchase, first ones included, as (customer, time) pairs sorted by customer."""

    customer: IntArray
    time: FloatArray
    age: FloatArray
    """Per customer: how long they were observed after their first purchase."""

    def frequency_recency(self) -> tuple[FloatArray, FloatArray]:
        """Repeat purchases and the time of the last one, per customer."""
        customers = self.age.size
        frequency = np.bincount(self.customer, minlength=customers).astype(np.float64) - 1.0
        recency = np.zeros(customers)
        np.maximum.at(recency, self.customer, self.time)
        return frequency, recency


def simulate_bgnbd(
    rng: np.random.Generator,
    age: FloatArray,
    *,
    r: float,
    alpha: float,
    a: float,
    b: float,
    modified: bool = False,
) -> SimulatedPurchases:
    """BG/NBD (or, modified, MBG/NBD) purchases of customers observed for `age` periods each."""
    customers = age.size
    rate = np.maximum(rng.gamma(r, 1.0 / alpha, customers), _RATE_FLOOR)
    dropout = rng.beta(a, b, customers)
    alive = rng.random(customers) >= dropout if modified else np.ones(customers, dtype=np.bool_)
    return _purchases(rng, age, rate=rate, dropout=dropout, alive=alive, lifetime=np.full(customers, np.inf))


def simulate_pareto_nbd(
    rng: np.random.Generator, age: FloatArray, *, r: float, alpha: float, s: float, beta: float
) -> SimulatedPurchases:
    """Pareto/NBD purchases of customers observed for `age` periods each."""
    customers = age.size
    rate = np.maximum(rng.gamma(r, 1.0 / alpha, customers), _RATE_FLOOR)
    death_rate = np.maximum(rng.gamma(s, 1.0 / beta, customers), _RATE_FLOOR)
    lifetime = rng.exponential(1.0, customers) / death_rate
    return _purchases(
        rng,
        age,
        rate=rate,
        dropout=np.zeros(customers),
        alive=np.ones(customers, dtype=np.bool_),
        lifetime=lifetime,
    )


def simulate_spend(
    rng: np.random.Generator, customer: IntArray, customers: int, *, p: float, q: float, v: float
) -> FloatArray:
    """Gamma-Gamma amounts for purchases made by the given customers."""
    scale = rng.gamma(q, 1.0 / v, customers)
    return rng.gamma(p, 1.0, customer.size) / scale[customer]


def _purchases(
    rng: np.random.Generator,
    age: FloatArray,
    *,
    rate: FloatArray,
    dropout: FloatArray,
    alive: npt.NDArray[np.bool_],
    lifetime: FloatArray,
) -> SimulatedPurchases:
    customers = age.size
    owners = [np.arange(customers, dtype=np.int64)]
    times = [np.zeros(customers)]
    clock = np.zeros(customers)
    active = np.flatnonzero(alive)
    while active.size:
        clock[active] += rng.exponential(1.0, active.size) / rate[active]
        active = active[(clock[active] <= age[active]) & (clock[active] <= lifetime[active])]
        owners.append(active)
        times.append(clock[active].copy())
        active = active[rng.random(active.size) >= dropout[active]]
    customer = np.concatenate(owners)
    time = np.concatenate(times)
    order = np.argsort(customer, kind="stable")
    return SimulatedPurchases(customer[order], time[order], age)
