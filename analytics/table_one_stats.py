"""Table 1's quartiles and two-group tests, computed directly for small samples.

``scipy.stats.mannwhitneyu``, ``fisher_exact`` and ``chi2_contingency`` and ``numpy.quantile``
validate, broadcast and dispatch their arguments in Python: on 54 patients that overhead
was 0.1-1 ms per call, most of Table 1's time and ~15% of a report. Each function here
follows its scipy/numpy counterpart step by step (the same formulas in the same order,
the same ``scipy.special`` and ``scipy.stats.hypergeom`` functions underneath), so the
results are the same bits; ``tests/analytics/test_table_one_stats.py`` checks that over
many random inputs.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

try:
    # The ufuncs behind scipy.stats.hypergeom's pmf/cdf/sf (private names, so guarded): called
    # directly, as the wrapper calls them inside the support, without its ~0.1 ms per call.
    # tests/analytics/test_table_one_stats.py holds the result to stats.fisher_exact's bits.
    from scipy.special._ufuncs import _hypergeom_cdf, _hypergeom_pmf, _hypergeom_sf
except ImportError:  # pragma: no cover - a scipy without them: the public wrappers
    _hypergeom_pmf = _hypergeom_cdf = _hypergeom_sf = None

Array = NDArray[np.float64]

# scipy.stats.fisher_exact: pmf values within this relative distance of the observed
# table's count as equally likely (the two-sided p sums them).
_FISHER_EPSILON = 1e-14


def quartiles(values: Array) -> tuple[float, float, float]:
    """``numpy.quantile(values, [0.25, 0.5, 0.75])`` (R ``quantile`` type 7) of non-NaN values.

    numpy's "linear" method: the virtual index ``(n - 1) q`` between two order statistics,
    interpolated from the nearer one (``_lerp``), the last value past the end. The order
    statistics come from one partition, as numpy's, not a full sort (large cohorts).
    """
    n = values.size
    virtual = [(n - 1) * q for q in (0.25, 0.5, 0.75)]
    previous = [math.floor(v) if v < n - 1 else n - 1 for v in virtual]
    ordered = np.partition(values, sorted({*previous, *(min(i + 1, n - 1) for i in previous)}))
    out = []
    for v, i in zip(virtual, previous, strict=True):
        if v >= n - 1:
            below, above, gamma = ordered[-1], ordered[-1], v + 1.0
        else:
            below, above, gamma = ordered[i], ordered[i + 1], v - i
        step = above - below
        out.append(float(above - step * (1 - gamma) if gamma >= 0.5 else below + step * gamma))
    return out[0], out[1], out[2]


def _average_ranks(values: Array) -> tuple[Array, Array]:
    """Ranks with ties averaged (R ``rank``), and the size of each group of ties."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    counts = np.diff(np.append(starts, values.size))
    ranks = np.empty(values.size)
    ranks[order] = np.repeat(starts + 1 + (counts - 1) / 2, counts)
    return ranks, counts.astype(float)


def mann_whitney_p(x: Array, y: Array) -> float:
    """Two-sided p of ``scipy.stats.mannwhitneyu(x, y, use_continuity=True, method="asymptotic")``.

    As R ``wilcox.test(x, y, exact = FALSE, correct = TRUE)``: the normal approximation to
    ``U`` with the tie-corrected variance and a 0.5 continuity correction. ``x`` and ``y``
    are non-empty and NaN-free, and not all values are equal (Table 1 tests nothing else).
    """
    n1, n2 = x.size, y.size
    ranks, ties = _average_ranks(np.concatenate((x, y)))
    u1 = ranks[:n1].sum() - n1 * (n1 + 1) / 2
    u = np.maximum(u1, n1 * n2 - u1)
    n = n1 + n2
    tie_term = np.sum(ties**3 - ties)
    s = np.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))))
    z = (u - n1 * n2 / 2 - 0.5) / s
    return float(np.clip(special.ndtr(-z) * 2, 0.0, 1.0))


def _binary_search(pmf: Callable[[int], float], target: float, low: int, high: int) -> int:
    """scipy's ``_binary_search_for_binom_tst``: ``i`` in [low, high] with pmf(i) <= target."""
    while low < high:
        middle = low + (high - low) // 2
        value = pmf(middle)
        if value < target:
            low = middle + 1
        elif value > target:
            high = middle - 1
        else:
            return middle
    return low if pmf(low) <= target else low - 1


def fisher_exact_p(table: NDArray[np.int64]) -> float:
    """Two-sided p of ``scipy.stats.fisher_exact`` for a 2 x 2 table (R ``fisher.test``).

    Sums the probabilities of the tables, with the same margins, no more likely than the
    observed one. scipy's algorithm, with the functions under scipy's hypergeometric
    distribution called directly (see ``_hypergeometric``).
    """
    c = np.asarray(table, dtype=np.int64)
    if 0 in c.sum(axis=0) or 0 in c.sum(axis=1):
        return 1.0
    observed = int(c[0, 0])
    row1, row2, column1 = int(c[0].sum()), int(c[1].sum()), int(c[:, 0].sum())
    total = row1 + row2
    pmf, lower_tail, upper_tail = _hypergeometric(total, row1, column1)
    mode = int((column1 + 1) * (row1 + 1) / (total + 2))
    p_observed, p_mode = pmf(observed), pmf(mode)
    gamma = 1 + _FISHER_EPSILON
    if abs(p_observed - p_mode) / max(p_observed, p_mode) <= _FISHER_EPSILON:
        return 1.0
    if observed < mode:
        p_lower = lower_tail(observed)
        if pmf(column1) > p_observed * gamma:
            return p_lower
        guess = _binary_search(lambda k: -pmf(k), -p_observed * gamma, mode, column1)
        return min(p_lower + upper_tail(guess), 1.0)
    p_upper = upper_tail(observed - 1)
    if pmf(0) > p_observed * gamma:
        return p_upper
    guess = _binary_search(pmf, p_observed * gamma, 0, mode)
    return min(p_upper + lower_tail(guess), 1.0)


Tails = tuple[Callable[[int], float], Callable[[int], float], Callable[[int], float]]


def _hypergeometric(total: int, good: int, draws: int) -> Tails:
    """pmf, cdf and sf of ``scipy.stats.hypergeom(total, good, draws)`` at integers.

    Inside the support the wrapper's value is its ufunc's, clipped to [0, 1]; outside, the
    pmf is 0 and the tails are 0 or 1. Point by point, as scipy's search asks for them (the
    support of a registry-sized table is too long to evaluate whole).
    """
    low, high = max(draws - (total - good), 0), min(good, draws)
    if _hypergeom_pmf is None or _hypergeom_cdf is None or _hypergeom_sf is None:
        inside, cdf, sf = _wrapped_hypergeometric(total, good, draws)
    else:
        # int64, as the wrapper passes them (the ufunc then runs its double-precision loop).
        args = (np.int64(good), np.int64(draws), np.int64(total))

        def inside(k: int) -> float:
            return float(np.clip(_hypergeom_pmf(np.int64(k), *args), 0, 1))

        def cdf(k: int) -> float:
            if k >= high:
                return 1.0
            return float(np.clip(_hypergeom_cdf(np.int64(k), *args), 0, 1)) if k >= low else 0.0

        def sf(k: int) -> float:
            if k < low:
                return 1.0
            return float(np.clip(_hypergeom_sf(np.int64(k), *args), 0, 1)) if k < high else 0.0

    def pmf(k: int) -> float:
        return inside(k) if low <= k <= high else 0.0

    return pmf, cdf, sf


def _wrapped_hypergeometric(total: int, good: int, draws: int) -> Tails:
    """The same three functions through the public ``scipy.stats.hypergeom``."""

    def pmf(k: int) -> float:
        return float(stats.hypergeom.pmf(k, total, good, draws))

    def cdf(k: int) -> float:
        return float(stats.hypergeom.cdf(k, total, good, draws))

    def sf(k: int) -> float:
        return float(stats.hypergeom.sf(k, total, good, draws))

    return pmf, cdf, sf


def chi_square(table: NDArray[np.int64]) -> tuple[float, Array]:
    """p and expected counts of ``scipy.stats.chi2_contingency(table, correction=False)``.

    Pearson's statistic on an r x c table with no empty row or column (R ``chisq.test``
    without continuity correction), ``(r - 1)(c - 1)`` degrees of freedom.
    """
    observed = np.asarray(table, dtype=float)
    expected = observed.sum(axis=1, keepdims=True) * observed.sum(axis=0, keepdims=True)
    expected = expected / observed.sum()
    statistic = np.sum((observed - expected) ** 2 / expected)
    dof = (observed.shape[0] - 1) * (observed.shape[1] - 1)
    return float(special.chdtrc(float(dof), statistic)), expected
